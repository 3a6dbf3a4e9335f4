using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rewind.Aws.Tests.Models;

/// <summary>
/// One AWS service's botocore model (data/&lt;service&gt;/&lt;version&gt;/service-2.json.gz, shipped with the aws CLI),
/// and a validator of a request body against an operation's input shape: required members, types, enums, string
/// and list lengths, number ranges, no unknown members.
/// </summary>
public sealed class ServiceModel
{
    private readonly JsonObject _model;

    private ServiceModel(JsonObject model) => _model = model;

    private JsonObject Shapes => _model["shapes"]!.AsObject();

    /// <summary>Whether <paramref name="operation"/> ("UpdateService") is an operation of the service's API.</summary>
    public bool HasOperation(string operation) => _model["operations"]!.AsObject().ContainsKey(operation);

    /// <summary>The model's X-Amz-Target prefix ("CodeDeploy_20141006").</summary>
    public string TargetPrefix => (string)_model["metadata"]!["targetPrefix"]!;

    /// <summary>The folder of the installed botocore package, or null with why (no python3, no botocore).</summary>
    public static (string? Folder, string Why) LocateBotocore()
    {
        try
        {
            using var python = Process.Start(new ProcessStartInfo("python3", ["-c", "import botocore,os;print(os.path.dirname(botocore.__file__))"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var folder = python.StandardOutput.ReadToEnd().Trim();
            python.StandardError.ReadToEnd();
            python.WaitForExit();
            return python.ExitCode == 0 && Directory.Exists(folder) ? (folder, "") : (null, "python3 has no botocore (install the aws CLI or 'pip install botocore')");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (null, "python3 is not installed (it and botocore come with the aws CLI)");
        }
    }

    /// <summary>Loads the newest API version of <paramref name="service"/> ("ecs", "codedeploy") from botocore's data.</summary>
    public static ServiceModel Load(string botocoreFolder, string service)
    {
        var versions = Path.Combine(botocoreFolder, "data", service);
        var newest = Directory.GetDirectories(versions).Order(StringComparer.Ordinal).Last();
        var path = Path.Combine(newest, "service-2.json.gz");
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        return new ServiceModel(JsonNode.Parse(gzip)!.AsObject());
    }

    /// <summary>Every way <paramref name="body"/> breaks the input shape of <paramref name="operation"/>; empty when it fits.</summary>
    public IReadOnlyList<string> Validate(string operation, string body)
    {
        var op = _model["operations"]![operation] ?? throw new ArgumentException($"the model has no operation {operation}", nameof(operation));
        var errors = new List<string>();
        var input = (string?)op["input"]?["shape"];
        if (input is null)
            return body is "" or "{}" ? errors : [$"{operation} takes no input"];
        Check(JsonNode.Parse(body), input, operation, errors);
        return errors;
    }

    private void Check(JsonNode? value, string shapeName, string path, List<string> errors)
    {
        var shape = Shapes[shapeName]!.AsObject();
        var type = (string)shape["type"]!;
        if (value is null)
        {
            errors.Add($"{path}: null where {shapeName} ({type}) is expected");
            return;
        }
        switch (type)
        {
            case "structure":
                if (value is not JsonObject structure)
                {
                    errors.Add($"{path}: {shapeName} must be an object");
                    return;
                }
                var members = shape["members"]!.AsObject();
                foreach (var required in shape["required"]?.AsArray().Select(r => (string)r!) ?? [])
                {
                    if (!structure.ContainsKey(required))
                        errors.Add($"{path}.{required}: required member missing");
                }
                foreach (var (name, member) in structure)
                {
                    if (members[name] is not JsonObject declared)
                        errors.Add($"{path}.{name}: unknown member of {shapeName}");
                    else
                        Check(member, (string)declared["shape"]!, $"{path}.{name}", errors);
                }
                break;
            case "list":
                if (value is not JsonArray list)
                {
                    errors.Add($"{path}: {shapeName} must be a list");
                    return;
                }
                Bounds(list.Count, shape, path, "items", errors);
                for (var i = 0; i < list.Count; i++)
                    Check(list[i], (string)shape["member"]!["shape"]!, $"{path}[{i}]", errors);
                break;
            case "map":
                if (value is not JsonObject map)
                {
                    errors.Add($"{path}: {shapeName} must be a map");
                    return;
                }
                Bounds(map.Count, shape, path, "entries", errors);
                foreach (var (key, entry) in map)
                {
                    Check(JsonValue.Create(key), (string)shape["key"]!["shape"]!, $"{path} key", errors);
                    Check(entry, (string)shape["value"]!["shape"]!, $"{path}.{key}", errors);
                }
                break;
            case "string":
                if (!Is(value, JsonValueKind.String, out var text))
                {
                    errors.Add($"{path}: {shapeName} must be a string");
                    return;
                }
                if (shape["enum"] is JsonArray allowed && !allowed.Any(a => (string)a! == text))
                    errors.Add($"{path}: '{text}' is not one of {shapeName}: {string.Join(", ", allowed.Select(a => (string)a!))}");
                Bounds(text.Length, shape, path, "characters", errors);
                break;
            case "integer" or "long":
                if (value is not JsonValue number || number.GetValueKind() != JsonValueKind.Number || !number.TryGetValue(out long whole))
                {
                    errors.Add($"{path}: {shapeName} must be a whole number");
                    return;
                }
                Range(whole, shape, path, errors);
                break;
            case "double" or "float":
                if (value.GetValueKind() != JsonValueKind.Number)
                    errors.Add($"{path}: {shapeName} must be a number");
                break;
            case "boolean":
                if (value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                    errors.Add($"{path}: {shapeName} must be true or false");
                break;
            case "timestamp":
                // awsJson timestamps are epoch seconds (a number).
                if (value.GetValueKind() != JsonValueKind.Number)
                    errors.Add($"{path}: {shapeName} must be epoch seconds");
                break;
            case "blob":
                if (value.GetValueKind() != JsonValueKind.String)
                    errors.Add($"{path}: {shapeName} must be base64 text");
                break;
            default:
                errors.Add($"{path}: {shapeName} has type {type}, which the validator does not know");
                break;
        }
    }

    private static bool Is(JsonNode value, JsonValueKind kind, out string text)
    {
        text = value.GetValueKind() == kind ? value.GetValue<string>() : "";
        return value.GetValueKind() == kind;
    }

    private static void Bounds(int count, JsonObject shape, string path, string unit, List<string> errors)
    {
        if (shape["min"] is { } min && count < (double)min)
            errors.Add($"{path}: {count} {unit}, fewer than the minimum {min}");
        if (shape["max"] is { } max && count > (double)max)
            errors.Add($"{path}: {count} {unit}, more than the maximum {max}");
    }

    private static void Range(long number, JsonObject shape, string path, List<string> errors)
    {
        if (shape["min"] is { } min && number < (double)min)
            errors.Add($"{path}: {number.ToString(CultureInfo.InvariantCulture)} is below the minimum {min}");
        if (shape["max"] is { } max && number > (double)max)
            errors.Add($"{path}: {number.ToString(CultureInfo.InvariantCulture)} is above the maximum {max}");
    }
}
