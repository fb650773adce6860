# REDSHIFT_AUTH=iam as a CI job uses it (issue 15): Invoke-S3ToRedshift with no REDSHIFT_PASSWORD, against a
# fake AWS endpoint (from the TestServers dll the runner loaded) that hands out the password of a role of the
# test PostgreSQL, for a cluster and for Serverless, with web identity and a role profile; the handed-out
# password never shows; refusals are Redshifter.ConnectionFailed.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $iamUser = 'IAM:ci-loader'
    $aws = [Redshifter.TestServers.FakeAws]::new()
    $aws.IamDbUser = $iamUser
    $servers.Postgres.AddLoginRole($iamUser, $aws.DbPassword)
    $bucket = New-TestBucket
    $schema = 'iam_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $date = '2020-01-02T00:00:00Z'
    foreach ($t in 'a', 'b') {
        Send-TestS3Object -Bucket $bucket -Key "${schema}_${t}_$date.json" -Text "{`"id`":1,`"at`":`"2020-01-02T03:00:00`"}`n{`"id`":2,`"at`":`"2020-01-02T04:00:00`"}"
        Send-TestS3Object -Bucket $bucket -Key "config_${schema}_${t}_$date.yml" -Text "${t}:`n  columns:`n    - dest: id`n      type: int`n    - dest: at`n      type: timestamp`n  meta:`n    schema: $schema`n    datadatecolumn: at`n"
    }

    # The child's environment: iam auth against the fake, no database user or password.
    function Get-IamEnvironment([hashtable] $More = @{}) {
        $e = @{
            REDSHIFT_AUTH                        = 'iam'
            REDSHIFT_USER                        = ''
            REDSHIFT_PASSWORD                    = ''
            REDSHIFT_CLUSTER_ID                  = 'c' + [guid]::NewGuid().ToString('N').Substring(0, 8)
            AWS_ENDPOINT_URL_REDSHIFT            = $aws.Endpoint
            AWS_ENDPOINT_URL_REDSHIFT_SERVERLESS = $aws.Endpoint
            AWS_ENDPOINT_URL_STS                 = $aws.Endpoint
        }
        foreach ($k in $More.Keys) { $e[$k] = $More[$k] }
        $e
    }
    # Every stream of the child as text, with each error record's exception chain.
    $showAll = 'foreach ($r in $records) { $r | Out-String -Width 500; if ($r -is [System.Management.Automation.ErrorRecord]) { $r.FullyQualifiedErrorId; for ($e = $r.Exception; $e; $e = $e.InnerException) { $e.Message }; $r.ErrorDetails | Out-String } }'
}

AfterAll {
    $aws.Dispose()
}

Describe 'REDSHIFT_AUTH=iam' {
    It 'loads a cluster with no REDSHIFT_PASSWORD, as the user AWS hands out, and never shows its password' {
        $before = $aws.RequestsOf('GetClusterCredentialsWithIAM').Count
        $script = "`$DebugPreference = 'Continue'; `$records = & { Get-RedshiftLoadPlan -Bucket $bucket -Schema $schema -Table a | ForEach-Object { 'Authentication: ' + `$_.Authentication }; Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table a -WhatIf -Verbose; Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table a,b -Verbose | ForEach-Object { 'Status: ' + `$_.Status } } *>&1; $showAll; `$sts = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'AWSSDK.SecurityToken' }; 'STS loaded: ' + `$(if (`$sts) { [Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$sts).Name } else { 'no' })"
        $r = Invoke-ChildPwsh -Script $script -Environment (Get-IamEnvironment)
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output | Should -Match 'Authentication: iam: GetClusterCredentialsWithIAM \(cluster c\w+, region us-east-1\)'
        ([regex]::Matches($r.Output, 'Status: Loaded')).Count | Should -Be 2
        $r.Output | Should -Not -Match ([regex]::Escape($aws.DbPassword))
        Invoke-TestSql -Scalar "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname = '$schema'" | Should -Be $iamUser
        $r.Output | Should -Match 'STS loaded: no'   # keys from the environment: the STS assembly stays unloaded
        # One process, one target: the plan, -WhatIf and both tables shared one set of credentials.
        $aws.RequestsOf('GetClusterCredentialsWithIAM').Count - $before | Should -Be 1
    }

    It 'loads a Serverless workgroup with GetCredentials' {
        $before = $aws.RequestsOf('RedshiftServerless.GetCredentials').Count
        $r = Invoke-ChildPwsh -Script "Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table a -Force | ForEach-Object { 'Status: ' + `$_.Status }" -Environment (Get-IamEnvironment @{ REDSHIFT_CLUSTER_ID = ''; REDSHIFT_WORKGROUP = 'wg-ci' })
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output | Should -Match 'Status: Loaded'
        $calls = $aws.RequestsOf('RedshiftServerless.GetCredentials')
        $calls.Count - $before | Should -Be 1
        $calls[-1].Json['workgroupName'] | Should -Be 'wg-ci'
        $calls[-1].Authorization | Should -Match '/us-east-1/redshift-serverless/aws4_request'
    }

    It 'gets its AWS identity by web identity (token file + role ARN): STS, then the signed credential call and S3' {
        $tokenFile = Join-Path $TestDrive 'token'
        Set-Content -Path $tokenFile -Value 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmNpIn0.c2ln' -NoNewline
        $before = $aws.RequestsOf('AssumeRoleWithWebIdentity').Count
        $environment = Get-IamEnvironment @{ AWS_ACCESS_KEY_ID = ''; AWS_SECRET_ACCESS_KEY = ''; AWS_WEB_IDENTITY_TOKEN_FILE = $tokenFile; AWS_ROLE_ARN = 'arn:aws:iam::123456789012:role/ci' }
        $r = Invoke-ChildPwsh -Script "`$DebugPreference = 'Continue'; Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table b -Force *>&1 | Out-String -Width 500; `$sts = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'AWSSDK.SecurityToken' }; 'STS loaded: ' + `$(if (`$sts) { [Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$sts).Name } else { 'no' })" -Environment $environment
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output | Should -Match 'credentials from web identity'
        $r.Output | Should -Match 'STS loaded: Redshifter\.Engine'    # shipped in Dependencies/, loaded by the SDK into the engine's context
        $r.Output | Should -Not -Match ([regex]::Escape($aws.AssumedSessionToken))
        $aws.RequestsOf('AssumeRoleWithWebIdentity').Count | Should -BeGreaterThan $before
        $call = $aws.RequestsOf('GetClusterCredentialsWithIAM')[-1]
        $call.SecurityToken | Should -Be $aws.AssumedSessionToken
    }

    It 'gets its AWS identity from a profile with role_arn and source_profile (STS AssumeRole)' {
        $config = Join-Path $TestDrive 'config'
        $credentials = Join-Path $TestDrive 'credentials'
        Set-Content -Path $config -Value "[profile ci]`nrole_arn = arn:aws:iam::123456789012:role/ci-profile`nsource_profile = base`nregion = us-east-1`n"
        Set-Content -Path $credentials -Value "[base]`naws_access_key_id = AKIDBASEPROFILE`naws_secret_access_key = base-profile-secret`n"
        $before = $aws.RequestsOf('AssumeRole').Count
        $environment = Get-IamEnvironment @{ AWS_ACCESS_KEY_ID = ''; AWS_SECRET_ACCESS_KEY = ''; AWS_PROFILE = 'ci'; AWS_CONFIG_FILE = $config; AWS_SHARED_CREDENTIALS_FILE = $credentials }
        $r = Invoke-ChildPwsh -Script "Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table b -Force | ForEach-Object { 'Status: ' + `$_.Status }" -Environment $environment
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output | Should -Match 'Status: Loaded'
        $assumed = $aws.RequestsOf('AssumeRole')
        $assumed.Count | Should -BeGreaterThan $before
        $assumed[-1].Form['RoleArn'] | Should -Be 'arn:aws:iam::123456789012:role/ci-profile'
        $assumed[-1].Authorization | Should -Match 'Credential=AKIDBASEPROFILE/'
        $aws.RequestsOf('GetClusterCredentialsWithIAM')[-1].SecurityToken | Should -Be $aws.AssumedSessionToken
    }

    It 'gets its AWS identity from the container credentials endpoint (ECS task role, EKS Pod Identity)' {
        $before = $aws.RequestsOf('ContainerCredentials').Count
        $nowhere = Join-Path $TestDrive 'none'
        $environment = Get-IamEnvironment @{ AWS_ACCESS_KEY_ID = ''; AWS_SECRET_ACCESS_KEY = ''; AWS_PROFILE = ''; AWS_CONFIG_FILE = $nowhere; AWS_SHARED_CREDENTIALS_FILE = $nowhere; AWS_CONTAINER_CREDENTIALS_FULL_URI = $aws.Endpoint + [Redshifter.TestServers.FakeAws]::ContainerCredentialsPath }
        $r = Invoke-ChildPwsh -Script "Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table b -Force | ForEach-Object { 'Status: ' + `$_.Status }" -Environment $environment
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output | Should -Match 'Status: Loaded'
        $aws.RequestsOf('ContainerCredentials').Count | Should -BeGreaterThan $before
        $aws.RequestsOf('GetClusterCredentialsWithIAM')[-1].SecurityToken | Should -Be $aws.AssumedSessionToken
        $r.Output | Should -Not -Match ([regex]::Escape($aws.AssumedSessionToken))
    }

    It 'gets its AWS identity from the EC2 instance role (instance metadata, IMDSv2 session token)' {
        $before = $aws.RequestsOf('InstanceMetadata').Count
        $nowhere = Join-Path $TestDrive 'none'
        $environment = Get-IamEnvironment @{ AWS_ACCESS_KEY_ID = ''; AWS_SECRET_ACCESS_KEY = ''; AWS_PROFILE = ''; AWS_CONFIG_FILE = $nowhere; AWS_SHARED_CREDENTIALS_FILE = $nowhere; AWS_EC2_METADATA_SERVICE_ENDPOINT = $aws.Endpoint }
        $r = Invoke-ChildPwsh -Script "Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table b -Force | ForEach-Object { 'Status: ' + `$_.Status }" -Environment $environment
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output | Should -Match 'Status: Loaded'
        $metadata = @($aws.RequestsOf('InstanceMetadata') | Select-Object -Skip $before)
        @($metadata | Where-Object { $_.Method -eq 'PUT' -and $_.Path -eq '/latest/api/token' }).Count | Should -BeGreaterThan 0
        # Every read of the role's credentials carries the session token (IMDSv2, not the v1 fallback).
        $reads = @($metadata | Where-Object { $_.Path -like "/latest/meta-data/iam/security-credentials/$([Redshifter.TestServers.FakeAws]::InstanceRoleName)" })
        $reads.Count | Should -BeGreaterThan 0
        $reads | ForEach-Object { $_.Header('X-aws-ec2-metadata-token') | Should -Not -BeNullOrEmpty }
        $aws.RequestsOf('GetClusterCredentialsWithIAM')[-1].SecurityToken | Should -Be $aws.AssumedSessionToken
        $r.Output | Should -Not -Match ([regex]::Escape($aws.AssumedSessionToken))
    }

    It 'gets its AWS identity from an SSO profile (cached token, SSO GetRoleCredentials)' {
        $ssoHome = Join-Path $TestDrive 'home'
        $cache = New-Item -ItemType Directory -Path (Join-Path $ssoHome '.aws/sso/cache') -Force
        Set-Content -Path (Join-Path $ssoHome '.aws/config') -Value "[profile sso-ci]`nsso_session = corp`nsso_account_id = 123456789012`nsso_role_name = Loader`nregion = us-east-1`n`n[sso-session corp]`nsso_region = us-east-1`nsso_start_url = https://example.awsapps.com/start`nsso_registration_scopes = sso:account:access`n"
        # The SDK finds the session's token under the SHA-1 of the session's name, as `aws sso login` leaves it.
        $sha1 = [System.Security.Cryptography.SHA1]::HashData([System.Text.Encoding]::UTF8.GetBytes('corp'))
        $accessToken = 'sso-access-token-' + [guid]::NewGuid().ToString('N')
        Set-Content -Path (Join-Path $cache ([Convert]::ToHexString($sha1).ToLowerInvariant() + '.json')) -Value (@{
            accessToken = $accessToken; expiresAt = [DateTime]::UtcNow.AddHours(2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"); region = 'us-east-1'; startUrl = 'https://example.awsapps.com/start'
        } | ConvertTo-Json)
        $before = $aws.RequestsOf('GetRoleCredentials').Count
        $environment = Get-IamEnvironment @{ AWS_ACCESS_KEY_ID = ''; AWS_SECRET_ACCESS_KEY = ''; HOME = $ssoHome; AWS_PROFILE = 'sso-ci'; AWS_ENDPOINT_URL_SSO = $aws.Endpoint }
        $r = Invoke-ChildPwsh -Script "Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table b -Force | ForEach-Object { 'Status: ' + `$_.Status }" -Environment $environment
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output | Should -Match 'Status: Loaded'
        $sso = @($aws.RequestsOf('GetRoleCredentials'))
        $sso.Count | Should -BeGreaterThan $before
        $sso[-1].Header('x-amz-sso_bearer_token') | Should -Be $accessToken
        $sso[-1].Query | Should -Match 'role_name=Loader'
        $aws.RequestsOf('GetClusterCredentialsWithIAM')[-1].SecurityToken | Should -Be $aws.AssumedSessionToken
        $r.Output | Should -Not -Match ([regex]::Escape($accessToken))
    }

    It 'a refused credential call is Redshifter.ConnectionFailed naming the permission, and changes nothing' {
        $aws.Fault = [Redshifter.TestServers.FakeAwsFault]::AccessDenied
        try {
            $fresh = 'iamx_' + [guid]::NewGuid().ToString('N').Substring(0, 8)
            Send-TestS3Object -Bucket $bucket -Key "${fresh}_a_$date.json" -Text '{"id":1,"at":"2020-01-02T03:00:00"}'
            Send-TestS3Object -Bucket $bucket -Key "config_${fresh}_a_$date.yml" -Text "a:`n  columns:`n    - dest: id`n      type: int`n    - dest: at`n      type: timestamp`n  meta:`n    schema: $fresh`n    datadatecolumn: at`n"
            $r = Invoke-ChildPwsh -Script "`$records = & { Invoke-S3ToRedshift -Bucket $bucket -Schema $fresh -Table a -Verbose } *>&1; $showAll" -Environment (Get-IamEnvironment)
        }
        finally { $aws.Fault = [Redshifter.TestServers.FakeAwsFault]::None }
        $r.Output | Should -Match '(?m)^Redshifter\.LoadFailed'   # the table's error record
        $r.Output | Should -Match 'Redshifter\.ConnectionFailed'  # its cause
        $r.Output | Should -Match 'redshift:GetClusterCredentialsWithIAM'
        $r.Output | Should -Not -Match ([regex]::Escape($aws.DbPassword))
        Invoke-TestSql -Scalar "SELECT count(*) FROM information_schema.schemata WHERE schema_name = '$fresh'" | Should -Be 0
    }

    It 'no cluster or workgroup is a terminating Redshifter.ConnectionFailed naming the variables' {
        $r = Invoke-ChildPwsh -Script "try { Invoke-S3ToRedshift -Bucket $bucket -Schema $schema -Table a -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }" -Environment (Get-IamEnvironment @{ REDSHIFT_CLUSTER_ID = '' })
        $r.Output | Should -Match '^Redshifter\.ConnectionFailed'
        $r.Output | Should -Match 'REDSHIFT_CLUSTER_ID'
    }

    It 'REDSHIFT_AUTH other than password or iam is Redshifter.InvalidArgument' {
        $r = Invoke-ChildPwsh -Script "try { Get-RedshiftTable -Schema $schema -Table a -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId }" -Environment @{ REDSHIFT_AUTH = 'kerberos' }
        $r.Output | Should -Match '^Redshifter\.InvalidArgument'
    }
}
