# Thin: every target calls build.ps1, run by the PowerShell of the committed dotnet tool manifest.
PWSH = dotnet tool run pwsh -NoProfile -NonInteractive -File ./build.ps1

.PHONY: build test test-long test-redshift demo package clean tools

tools:
	@dotnet tool restore > /dev/null

build: tools
	@$(PWSH) -Task Build

test: tools
	@$(PWSH) -Task Test

test-long: tools
	@$(PWSH) -Task TestLong

# The live Redshift class: needs REDSHIFT_TEST_* and REDSHIFT_TEST_S3_BUCKET (docs/redshift.md).
test-redshift: tools
	@$(PWSH) -Task TestRedshift

demo: tools
	@$(PWSH) -Task Demo

package: tools
	@$(PWSH) -Task Package

clean: tools
	@$(PWSH) -Task Clean
