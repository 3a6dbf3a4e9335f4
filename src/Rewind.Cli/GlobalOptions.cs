using System.CommandLine;
using Rewind.Aws;

namespace Rewind.Cli;

/// <summary>How a command prints its data on stdout.</summary>
public enum OutputFormat { Text, Json }

/// <summary>The options every command takes.</summary>
public sealed class GlobalOptions
{
    public Option<string?> Config { get; } = new("--config") { Description = "Path of rewind.yaml (default: ./rewind.yaml)", Recursive = true, HelpName = "PATH" };
    public Option<string?> Profile { get; } = new("--profile") { Description = "AWS profile from ~/.aws/config", Recursive = true, HelpName = "NAME" };
    public Option<string?> Region { get; } = new("--region") { Description = "AWS region (default: configuration, AWS_REGION, profile)", Recursive = true, HelpName = "REGION" };
    public Option<string?> EndpointUrl { get; } = new("--endpoint-url") { Description = "Send every AWS call to this URL (an emulator, a VPC endpoint)", Recursive = true, HelpName = "URL" };
    public Option<string> Output { get; } = new Option<string>("--output") { Description = "text for people, json for programs (one document on stdout)", Recursive = true, DefaultValueFactory = _ => "text" }
        .AcceptOnlyFromAmong("text", "json");
    public Option<string[]> Service { get; } = new("--service") { Description = "The service of rewind.yaml's services to work on (by name)", Recursive = true, HelpName = "NAME" };
    public Option<bool> Verbose { get; } = new("--verbose") { Description = "Log AWS calls and retries to stderr; show stack traces of bugs", Recursive = true };

    public IEnumerable<Option> All => [Config, Service, Profile, Region, EndpointUrl, Output, Verbose];

    public AwsSettings AwsSettings(ParseResult result) => new(
        Profile: result.GetValue(Profile),
        Region: result.GetValue(Region),
        EndpointUrl: result.GetValue(EndpointUrl));
}
