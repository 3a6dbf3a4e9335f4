using Rewind.Aws.Credentials;
using Rewind.Aws.Signing;
using Xunit;

namespace Rewind.Aws.Tests.Signing;

public sealed class SigV4SignerTests
{
    // The example credentials and time of the public SigV4 suite, so the published get-vanilla values apply.
    private static readonly AwsCredentials ExampleCredentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static readonly DateTimeOffset ExampleTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    private static SigningRequest ExampleRequest(
        string method = "GET",
        string rawPath = "/",
        IReadOnlyList<KeyValuePair<string, string>>? query = null,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null) =>
        new(
            method,
            rawPath,
            query ?? [],
            headers ?? [new("Host", "example.amazonaws.com")],
            SigV4Signer.EmptyPayloadHash,
            ExampleCredentials,
            "us-east-1",
            "service",
            ExampleTime);

    private static string PathLine(SigningResult result) => result.CanonicalRequest.Split('\n')[1];

    private static string QueryLine(SigningResult result) => result.CanonicalRequest.Split('\n')[2];

    private static string? HeaderValue(SigningResult result, string name) =>
        result.HeadersToAdd.Where(header => header.Key == name).Select(header => header.Value).SingleOrDefault();

    [Fact]
    public void Sign_reproduces_the_published_get_vanilla_signature()
    {
        var result = SigV4Signer.Sign(ExampleRequest());

        Assert.Equal("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", result.Signature);
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, "
            + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            HeaderValue(result, "Authorization"));
    }

    [Fact]
    public void Sign_adds_security_token_header_when_credentials_carry_a_session_token()
    {
        var request = ExampleRequest() with { Credentials = ExampleCredentials with { SessionToken = "the-token" } };

        var result = SigV4Signer.Sign(request);

        Assert.Equal("the-token", HeaderValue(result, "X-Amz-Security-Token"));
        Assert.Contains("\nx-amz-security-token:the-token\n", result.CanonicalRequest, StringComparison.Ordinal);
        Assert.Contains("SignedHeaders=host;x-amz-date;x-amz-security-token,", HeaderValue(result, "Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_adds_the_token_outside_the_signature_when_asked_not_to_sign_it()
    {
        var request = ExampleRequest() with
        {
            Credentials = ExampleCredentials with { SessionToken = "the-token" },
            SignSessionToken = false,
        };

        var result = SigV4Signer.Sign(request);

        Assert.Equal("the-token", HeaderValue(result, "X-Amz-Security-Token"));
        Assert.DoesNotContain("x-amz-security-token", result.CanonicalRequest, StringComparison.Ordinal);
        Assert.Equal(SigV4Signer.Sign(ExampleRequest()).Signature, result.Signature);
    }

    [Fact]
    public void Sign_adds_no_security_token_header_when_credentials_carry_none()
    {
        var result = SigV4Signer.Sign(ExampleRequest());

        Assert.Equal(["X-Amz-Date", "Authorization"], result.HeadersToAdd.Select(header => header.Key));
    }

    [Fact]
    public void Headers_to_add_come_in_order_with_authorization_last()
    {
        var request = ExampleRequest() with
        {
            Credentials = ExampleCredentials with { SessionToken = "the-token" },
            AddContentSha256Header = true,
        };

        var result = SigV4Signer.Sign(request);

        Assert.Equal(
            ["X-Amz-Date", "X-Amz-Security-Token", "x-amz-content-sha256", "Authorization"],
            result.HeadersToAdd.Select(header => header.Key));
        Assert.Equal(SigV4Signer.EmptyPayloadHash, HeaderValue(result, "x-amz-content-sha256"));
        Assert.Contains(";x-amz-content-sha256;", HeaderValue(result, "Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public void Unnormalised_path_is_signed_as_given_when_normalisation_is_off()
    {
        var request = ExampleRequest(rawPath: "/my%20bucket//photos/../key%2Bname") with { NormalizePath = false };

        var result = SigV4Signer.Sign(request);

        Assert.Equal("/my%20bucket//photos/../key%2Bname", PathLine(result));
    }

    [Fact]
    public void Normalised_path_loses_dot_segments_and_is_encoded_again_segment_by_segment()
    {
        var request = ExampleRequest(rawPath: "/2020-05-31//distribution/./old/../a%20b/");

        var result = SigV4Signer.Sign(request);

        Assert.Equal("/2020-05-31/distribution/a%2520b/", PathLine(result));
    }

    [Fact]
    public void Empty_path_is_signed_as_the_root()
    {
        var result = SigV4Signer.Sign(ExampleRequest(rawPath: "") with { NormalizePath = false });

        Assert.Equal("/", PathLine(result));
    }

    [Fact]
    public void Query_is_encoded_with_upper_case_escapes_and_sorted_by_encoded_name_then_value()
    {
        var request = ExampleRequest(query:
        [
            new("b", "2"),
            new("a", "z"),
            new("a", "y y"),
            new("c", "~+/ሴ"),
            new("empty", ""),
        ]);

        var result = SigV4Signer.Sign(request);

        Assert.Equal("a=y%20y&a=z&b=2&c=~%2B%2F%E1%88%B4&empty=", QueryLine(result));
    }

    [Fact]
    public void Header_values_are_trimmed_collapsed_and_repeated_names_joined_in_order()
    {
        var request = ExampleRequest(headers:
        [
            new("Host", "example.amazonaws.com"),
            new("X-Multi", "  b  "),
            new("x-multi", "a   b\n   c"),
        ]);

        var result = SigV4Signer.Sign(request);

        Assert.Contains("\nx-multi:b,a b c\n", result.CanonicalRequest, StringComparison.Ordinal);
    }

    [Fact]
    public void Signing_time_is_taken_in_utc()
    {
        var request = ExampleRequest() with { Time = new DateTimeOffset(2015, 8, 30, 14, 36, 0, TimeSpan.FromHours(2)) };

        var result = SigV4Signer.Sign(request);

        Assert.Equal("20150830T123600Z", HeaderValue(result, "X-Amz-Date"));
        Assert.Equal(SigV4Signer.Sign(ExampleRequest()).Signature, result.Signature);
    }

    [Fact]
    public void Sign_rejects_a_request_without_a_host_header()
    {
        var request = ExampleRequest(headers: [new("Content-Type", "application/json")]);

        Assert.Throws<ArgumentException>(() => SigV4Signer.Sign(request));
    }

    [Fact]
    public void Sign_rejects_a_request_that_already_carries_a_header_the_signer_sets()
    {
        var request = ExampleRequest(headers: [new("Host", "example.amazonaws.com"), new("X-Amz-Date", "20150830T123600Z")]);

        Assert.Throws<ArgumentException>(() => SigV4Signer.Sign(request));
    }

    [Fact]
    public void HashPayload_of_an_empty_body_is_the_empty_payload_hash()
    {
        Assert.Equal(SigV4Signer.EmptyPayloadHash, SigV4Signer.HashPayload([]));
        Assert.Equal("9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e", SigV4Signer.HashPayload("Param1=value1"u8));
    }
}
