using System.Text;
using Rewind.Aws.Errors;
using Rewind.Core;
using Xunit;

namespace Rewind.Aws.Tests.Errors;

public sealed class AwsErrorParserTests
{
    private static readonly Dictionary<string, string> NoHeaders = new(StringComparer.OrdinalIgnoreCase);

    private static AwsServiceException Parse(
        int status, string body, Dictionary<string, string>? headers = null, string? requestId = null, AwsService? service = null) =>
        AwsErrorParser.Parse(service ?? AwsService.Ecs, "DescribeServices", status, Encoding.UTF8.GetBytes(body), headers ?? NoHeaders, requestId, null);

    [Fact]
    public void Given_a_JSON_error_with_a_namespaced_type_when_parsed_then_the_code_is_the_bare_name()
    {
        var error = Parse(400, """{"__type":"com.amazonaws.ecs#ClientException","message":"Cluster not found."}""");

        Assert.Equal("ClientException", error.Code);
        Assert.Equal("Cluster not found.", error.ErrorMessage);
        Assert.Equal(400, error.HttpStatus);
        Assert.False(error.IsRetryable);
    }

    [Theory]
    [InlineData("""{"code":"ResourceNotFoundException","Message":"no such secret"}""", "ResourceNotFoundException", "no such secret")]
    [InlineData("""  {"__type":"ThrottlingException","errorMessage":"slow down"}""", "ThrottlingException", "slow down")]
    public void Given_a_JSON_error_with_other_spellings_when_parsed_then_code_and_message_are_found(string body, string code, string message)
    {
        var error = Parse(400, body);

        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.ErrorMessage);
    }

    [Fact]
    public void Given_only_the_x_amzn_ErrorType_header_when_parsed_then_the_code_drops_the_URL_suffix()
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["x-amzn-ErrorType"] = "ValidationException:http://internal.amazon.com/",
        };

        var error = Parse(400, "", headers);

        Assert.Equal("ValidationException", error.Code);
        Assert.Equal("no details in the answer", error.ErrorMessage);
    }

    [Fact]
    public void Given_a_JSON_code_and_an_ErrorType_header_when_parsed_then_the_body_wins()
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["x-amzn-ErrorType"] = "SomethingElse" };

        var error = Parse(400, """{"__type":"InvalidParameterException","message":"m"}""", headers);

        Assert.Equal("InvalidParameterException", error.Code);
    }

    [Fact]
    public void Given_a_query_protocol_XML_error_when_parsed_then_code_message_and_request_id_are_read()
    {
        const string body = """
            <ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
              <Error><Type>Sender</Type><Code>ValidationError</Code><Message>m</Message></Error>
              <RequestId>r</RequestId>
            </ErrorResponse>
            """;

        var error = Parse(400, body, service: AwsService.Elb);

        Assert.Equal("ValidationError", error.Code);
        Assert.Equal("m", error.ErrorMessage);
        Assert.Equal("r", error.RequestId);
        Assert.Equal("ELBv2 DescribeServices failed: ValidationError: m (HTTP 400, request r)", error.Message);
    }

    [Fact]
    public void Given_a_request_id_header_and_one_in_the_XML_when_parsed_then_the_header_wins()
    {
        var error = Parse(400, "<ErrorResponse><Error><Code>C</Code><Message>m</Message></Error><RequestId>body</RequestId></ErrorResponse>", requestId: "header");

        Assert.Equal("header", error.RequestId);
    }

    [Fact]
    public void Given_motos_XML_auth_error_on_a_JSON_service_when_parsed_then_it_is_SignatureDoesNotMatch_and_an_auth_failure()
    {
        const string body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ErrorResponse>
              <Errors><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error></Errors>
              <RequestID>abc-123</RequestID>
            </ErrorResponse>
            """;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = "text/html; charset=utf-8" };

        var error = Parse(403, body, headers);

        Assert.Equal("SignatureDoesNotMatch", error.Code);
        Assert.StartsWith("The request signature we calculated", error.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("abc-123", error.RequestId);
        Assert.True(error.IsAuthFailure);
        Assert.False(error.IsRetryable);
        Assert.Contains("clock", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_an_empty_404_when_parsed_then_the_code_is_NotFound_and_not_retryable()
    {
        var error = Parse(404, "");

        Assert.Equal("NotFound", error.Code);
        Assert.Equal("not found", error.ErrorMessage);
        Assert.False(error.IsRetryable);
        Assert.Contains("--region", error.Hint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<html><body>Bad Gateway</body>")]
    [InlineData("{not json")]
    [InlineData("upstream connect error or disconnect/reset before headers")]
    public void Given_a_garbage_500_when_parsed_then_it_is_a_retryable_InternalFailure_quoting_the_body(string body)
    {
        var error = Parse(500, body);

        Assert.Equal("InternalFailure", error.Code);
        Assert.True(error.IsRetryable);
        Assert.Equal(body, error.ErrorMessage);
    }

    [Fact]
    public void Given_a_very_long_unreadable_body_when_parsed_then_the_message_is_truncated()
    {
        var error = Parse(502, new string('x', 5_000));

        Assert.Equal(201, error.ErrorMessage.Length);
        Assert.EndsWith("…", error.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, "BadRequest", false)]
    [InlineData(403, "AccessDenied", false)]
    [InlineData(429, "TooManyRequestsException", true)]
    [InlineData(503, "ServiceUnavailable", true)]
    [InlineData(418, "Http418", false)]
    public void Given_no_code_anywhere_when_parsed_then_the_status_gives_the_code(int status, string code, bool retryable)
    {
        var error = Parse(status, "");

        Assert.Equal(code, error.Code);
        Assert.Equal(retryable, error.IsRetryable);
    }

    [Theory]
    [InlineData("ThrottlingException", 400, true)]
    [InlineData("RequestLimitExceeded", 400, true)]
    [InlineData("ValidationException", 400, false)]
    [InlineData("ClientException", 400, false)]
    [InlineData("AnythingAtAll", 500, true)]
    public void Given_an_error_code_and_status_when_classified_then_only_throttling_and_server_faults_are_retryable(string code, int status, bool retryable)
    {
        Assert.Equal(retryable, AwsErrorCodes.IsRetryable(code, status));
    }
}
