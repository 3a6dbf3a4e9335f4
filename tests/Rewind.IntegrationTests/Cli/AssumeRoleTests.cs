using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Rewind.Aws;
using Rewind.Aws.Credentials;
using Rewind.Aws.Endpoints;
using Rewind.Aws.Transport;
using Rewind.IntegrationTests.Emulator;
using Xunit;

namespace Rewind.IntegrationTests.Cli;

/// <summary>A service's <c>role_arn</c>: assumed through the emulator's STS, and every client of the service signs with the role's keys.</summary>
[Collection("emulator")]
public sealed class AssumeRoleTests(EmulatorFixture emulator) : IDisposable
{
    private const string Role = "arn:aws:iam::210987654321:role/rewind-worker";
    private const string BaseKey = "AKIAIOSFODNN7EXAMPLE";

    private readonly RewindProcess _rewind = new();
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("rewind-role-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_assumed_role_s_keys_sign_every_client_s_requests_and_are_assumed_once()
    {
        var endpoints = new AwsEndpointResolver(emulator.Endpoint.ToString(), null, _ => null);
        var options = new AwsTransportOptions { MaxAttempts = 1 };
        var baseCredentials = new StaticCredentialSource(new AwsCredentials(BaseKey, "base-secret"));
        using var sts = new AmazonSecurityTokenServiceClient(
            baseCredentials.AsSdkCredentials(), AwsClients.Configure(new AmazonSecurityTokenServiceConfig(), AwsService.Sts, EmulatorFixture.Region, endpoints, options));
        var role = new AssumedRoleCredentialSource(baseCredentials, sts, Role, "rewind-ops", "rewind-test", options.OverallTimeout);
        var recorder = new RecordingHandler();
        using var clients = new AwsClients(
            new AwsSession(EmulatorFixture.Region, RegionSource.Flag, role, endpoints), new HttpClient(recorder), options);

        await clients.Ecs.ListTaskDefinitionsAsync(null, Rewind.Aws.Ecs.TaskDefinitionStatus.Active, Rewind.Aws.Ecs.SortOrder.Desc, Ct);
        await clients.Ecs.ListTaskDefinitionsAsync(null, Rewind.Aws.Ecs.TaskDefinitionStatus.Active, Rewind.Aws.Ecs.SortOrder.Desc, Ct);
        using var stsOfSession = clients.Sts();
        var identity = await stsOfSession.GetCallerIdentityAsync(new GetCallerIdentityRequest(), Ct);

        var assumed = await role.GetAsync(Ct);
        Assert.StartsWith("ASIA", assumed.AccessKeyId, StringComparison.Ordinal);
        Assert.NotNull(assumed.SessionToken);
        Assert.Equal(2, recorder.Authorizations.Count);
        Assert.All(recorder.Authorizations, authorization => Assert.Contains($"Credential={assumed.AccessKeyId}/", authorization, StringComparison.Ordinal));
        Assert.All(recorder.SecurityTokens, token => Assert.Equal(assumed.SessionToken, token));
        // moto answers GetCallerIdentity from the access key: the role's session, so the emulator's STS issued these keys.
        Assert.Equal("arn:aws:sts::210987654321:assumed-role/rewind-worker/rewind-test", identity.Arn);
        Assert.Equal(1, role.AssumeCount);
    }

    [Fact]
    public async Task The_service_option_selects_the_service_whose_role_the_cli_assumes()
    {
        var config = Write($"""
            aws:
              region: {EmulatorFixture.Region}
            services:
              - name: claude-proxy-api
              - name: claude-proxy-worker
                ecs_service: worker-service
                role_arn: {Role}
            ledger:
              path: {Path.Combine(_folder.FullName, "ledger.db")}
            """);

        var worker = await _rewind.RunAsync(["doctor", "--output", "json", "--config", config, "--service", "claude-proxy-worker"], Environment(emulator.Endpoint), Ct);
        var api = await _rewind.RunAsync(["doctor", "--output", "json", "--config", config, "--service", "claude-proxy-api"], Environment(emulator.Endpoint), Ct);

        using var workerReport = JsonDocument.Parse(worker.Stdout);
        using var apiReport = JsonDocument.Parse(api.Stdout);
        Assert.Contains("assumed-role/rewind-worker/rewind-", workerReport.RootElement.GetProperty("arn").GetString(), StringComparison.Ordinal);
        Assert.StartsWith($"role {Role} assumed with ", workerReport.RootElement.GetProperty("credentialSource").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("assumed-role", apiReport.RootElement.GetProperty("arn").GetString() ?? string.Empty, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("doctor")]
    [InlineData("plan")]
    public async Task A_role_that_cannot_be_assumed_is_one_line_naming_the_role_and_the_aws_message_exit_2(string command)
    {
        using var sts = new DenyingSts();
        var config = Write($"""
            aws:
              region: {EmulatorFixture.Region}
            services:
              - name: claude-proxy-worker
                role_arn: {Role}
            ledger:
              path: {Path.Combine(_folder.FullName, "ledger.db")}
            """);
        await _rewind.RunAsync(["ledger", "init", "--config", config], Environment(sts.Endpoint), Ct);

        var result = await _rewind.RunAsync([command, "--config", config], Environment(sts.Endpoint), Ct);

        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("rewind: ", StringComparison.Ordinal));
        Assert.Contains($"role {Role} cannot be assumed: AccessDenied: User: arn:aws:iam::123456789012:user/base is not authorized to perform: sts:AssumeRole", line, StringComparison.Ordinal);
        Assert.Equal(["AssumeRole"], sts.Actions.Distinct());
    }

    private string Write(string yaml)
    {
        var path = Path.Combine(_folder.FullName, $"rewind-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static Dictionary<string, string> Environment(Uri endpoint) => new()
    {
        ["AWS_ENDPOINT_URL"] = endpoint.ToString(),
        ["AWS_ACCESS_KEY_ID"] = BaseKey,
        ["AWS_SECRET_ACCESS_KEY"] = "base-secret",
    };

    public void Dispose()
    {
        _rewind.Dispose();
        _folder.Delete(recursive: true);
    }

    /// <summary>Loopback HTTP that remembers each request's signing headers, then sends it on.</summary>
    private sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler { UseProxy = false })
    {
        public List<string> Authorizations { get; } = [];

        public List<string> SecurityTokens { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Authorizations)
            {
                Authorizations.Add(request.Headers.TryGetValues("Authorization", out var a) ? a.Single() : string.Empty);
                SecurityTokens.Add(request.Headers.TryGetValues("X-Amz-Security-Token", out var t) ? t.Single() : string.Empty);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>An STS endpoint on 127.0.0.1 that refuses every AssumeRole with AccessDenied, as AWS words it.</summary>
    private sealed class DenyingSts : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _serving;

        public DenyingSts()
        {
            using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            var port = ((IPEndPoint)socket.LocalEndpoint).Port;
            socket.Stop();
            Endpoint = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Add(Endpoint.ToString());
            _listener.Start();
            _serving = Task.Run(ServeAsync);
        }

        public Uri Endpoint { get; }

        public List<string> Actions { get; } = [];

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var reader = new StreamReader(context.Request.InputStream);
                var body = await reader.ReadToEndAsync();
                var action = body.Split('&').Select(WebUtility.UrlDecode).FirstOrDefault(p => p!.StartsWith("Action=", StringComparison.Ordinal))?["Action=".Length..] ?? "?";
                lock (Actions)
                    Actions.Add(action);
                var error = Encoding.UTF8.GetBytes("""
                    <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/base is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::210987654321:role/rewind-worker</Message></Error><RequestId>denied-1</RequestId></ErrorResponse>
                    """);
                context.Response.StatusCode = 403;
                context.Response.ContentType = "text/xml";
                await context.Response.OutputStream.WriteAsync(error);
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
