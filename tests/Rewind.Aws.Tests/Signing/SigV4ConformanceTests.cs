using Rewind.Aws.Signing;
using Xunit;

namespace Rewind.Aws.Tests.Signing;

public sealed class SigV4ConformanceTests
{
    private const int SuiteSize = 38;
    private const string SuiteMissingPlaceholder = "(suite not found)";

    // Cases the signer deliberately does not support, each with the reason. None at present: all 38 are supported.
    private static readonly Dictionary<string, string> DeliberatelyUnsupported = new(StringComparer.Ordinal);

    public static TheoryData<string> SuiteCaseNames()
    {
        var data = new TheoryData<string>();
        if (SigV4Suite.Folder is null)
        {
            data.Add(SuiteMissingPlaceholder);
            return data;
        }

        foreach (var name in SigV4Suite.CaseNames(SigV4Suite.Folder))
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SuiteCaseNames))]
    public void Signer_reproduces_the_suite_case(string caseName)
    {
        var folder = SigV4Suite.Folder;
        if (folder is null)
        {
            Assert.Skip(SigV4Suite.MissingReason);
        }

        if (DeliberatelyUnsupported.TryGetValue(caseName, out var reason))
        {
            Assert.Skip($"Deliberately unsupported: {reason}");
        }

        var suiteCase = SigV4SuiteCase.Load(folder, caseName);

        var result = SigV4Signer.Sign(suiteCase.Request);

        Assert.Equal(suiteCase.ExpectedCanonicalRequest, result.CanonicalRequest);
        Assert.Equal(suiteCase.ExpectedStringToSign, result.StringToSign);
        Assert.Equal(suiteCase.ExpectedSignature, result.Signature);
    }

    [Fact]
    public void Signer_passes_every_supported_case_of_the_suite()
    {
        var folder = SigV4Suite.Folder;
        if (folder is null)
        {
            Assert.Skip(SigV4Suite.MissingReason);
        }

        var names = SigV4Suite.CaseNames(folder);
        var failures = new List<string>();
        var passed = 0;
        foreach (var name in names.Where(static name => !DeliberatelyUnsupported.ContainsKey(name)))
        {
            var suiteCase = SigV4SuiteCase.Load(folder, name);
            var result = SigV4Signer.Sign(suiteCase.Request);
            var mismatch =
                result.CanonicalRequest != suiteCase.ExpectedCanonicalRequest ? "canonical request"
                : result.StringToSign != suiteCase.ExpectedStringToSign ? "string to sign"
                : result.Signature != suiteCase.ExpectedSignature ? "signature"
                : null;
            if (mismatch is null)
            {
                passed++;
            }
            else
            {
                failures.Add($"{name}: {mismatch} differs");
            }
        }

        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"SigV4 suite: {passed} of {names.Count} cases pass");
        foreach (var (name, reason) in DeliberatelyUnsupported)
        {
            output?.WriteLine($"Deliberately unsupported: {name}: {reason}");
        }

        Assert.Equal(SuiteSize, names.Count);
        Assert.All(DeliberatelyUnsupported.Keys, name => Assert.Contains(name, names));
        Assert.Empty(failures);
    }
}
