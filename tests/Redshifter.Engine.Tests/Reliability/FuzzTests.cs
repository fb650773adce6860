using System.Text;
using Redshifter.Engine.Config;
using Redshifter.Engine.Errors;
using Redshifter.Engine.Loading;

namespace Redshifter.Engine.Tests.Reliability;

/// <summary>
/// Random and mutated inputs for the config reader and the decoders: they may only succeed or throw the
/// module's own error type — never hang, crash, or throw a raw exception.
/// </summary>
public sealed class FuzzTests
{
    private const int Cases = 1500;

    private static string Mutate(Random random, string seed)
    {
        var chars = seed.ToCharArray().ToList();
        var edits = random.Next(1, 6);
        const string alphabet = "{}[]\":,\\\n\r\t '|-_.0123456789aZé\u0000\uFFFD😀#&*!";
        for (var e = 0; e < edits && chars.Count > 0; e++)
        {
            var at = random.Next(chars.Count);
            switch (random.Next(4))
            {
                case 0: chars.RemoveAt(at); break;
                case 1: chars.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                case 2: chars[at] = alphabet[random.Next(alphabet.Length)]; break;
                default: chars.InsertRange(at, chars.Skip(at).Take(random.Next(1, 20)).ToList()); break;
            }
        }
        return new string(chars.ToArray());
    }

    [Fact]
    public void The_config_reader_only_succeeds_or_says_InvalidConfig()
    {
        var random = new Random(20261124);
        for (var i = 0; i < Cases; i++)
        {
            var yaml = Mutate(random, Config.TableConfigReaderTests.Pages);
            try
            {
                TableConfigReader.Parse(yaml, "fuzz.yml", "api", "pages");
            }
            catch (RedshifterException ex)
            {
                Assert.Equal(ErrorIds.InvalidConfig, ex.ErrorId);
            }
        }
    }

    private static RecordLayout Layout() => new([
        new TargetColumn("id", ColumnType.ParseConfig("bigint")!, null),
        new TargetColumn("name", ColumnType.ParseConfig("varchar(8)")!, null),
        new TargetColumn("at", ColumnType.ParseConfig("timestamp")!, null),
        new TargetColumn("doc", ColumnType.ParseConfig("super")!, null),
        new TargetColumn("ok", ColumnType.ParseConfig("boolean")!, null),
    ]);

    [Fact]
    public async Task The_json_decoder_only_succeeds_or_says_CopyFailed()
    {
        var random = new Random(7);
        const string seed = "{\"id\":1,\"name\":\"abc\",\"at\":\"2015-07-01T00:00:00Z\",\"doc\":{\"a\":[1,2]},\"ok\":true}\n{\"id\":2,\"NAME\":null}";
        for (var i = 0; i < Cases; i++)
        {
            var text = Mutate(random, seed);
            try
            {
                await new JsonRecordReader(Layout(), "s3://b/fuzz.json").ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), (b, _) => { b.Clear(); return ValueTask.FromResult(b); }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (RedshifterException ex)
            {
                Assert.Equal(ErrorIds.CopyFailed, ex.ErrorId);
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_delimited_decoders_only_succeed_or_say_CopyFailed(bool csv)
    {
        var random = new Random(csv ? 11 : 13);
        var seed = csv ? "1,\"a,b\",2015-07-01 00:00:00,\"{\"\"k\"\":1}\",true\n2,x,,,\n" : "1|a\\|b|2015-07-01 00:00:00|{}|t\n2|\"q\"|||\n";
        for (var i = 0; i < Cases; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(Mutate(random, seed));
            if (random.Next(10) == 0) bytes[random.Next(bytes.Length)] = (byte)random.Next(0x80, 0x100); // invalid UTF-8 now and then
            try
            {
                await new DelimitedRecordReader(Layout(), "s3://b/fuzz", new DelimitedOptions(csv, csv ? ',' : '|', random.Next(2))).ReadAsync(new MemoryStream(bytes), (b, _) => { b.Clear(); return ValueTask.FromResult(b); }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (RedshifterException ex)
            {
                Assert.Equal(ErrorIds.CopyFailed, ex.ErrorId);
            }
        }
    }
}
