using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Rewind.Core.Ledger;

namespace Rewind.Ledger.DynamoDb;

/// <summary>Small readers and writers for low-level DynamoDB items (no object persistence model: NativeAOT).</summary>
internal static class DynamoItem
{
    public const string PkName = "pk";
    public const string SkName = "sk";

    public static AttributeValue S(string value) => new() { S = value };

    public static AttributeValue N(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    public static AttributeValue Time(DateTimeOffset value) => S(LedgerTime.ToText(value));

    public static AttributeValue Map(IReadOnlyDictionary<string, string> map) =>
        new() { M = map.ToDictionary(pair => pair.Key, pair => S(pair.Value), StringComparer.Ordinal) };

    public static Dictionary<string, AttributeValue> Key(string pk, string sk) =>
        new(StringComparer.Ordinal) { [PkName] = S(pk), [SkName] = S(sk) };

    /// <summary>Adds the optional string attribute only when it has a value (DynamoDB has no typed nulls).</summary>
    public static void AddIfNotNull(Dictionary<string, AttributeValue> item, string name, string? value)
    {
        if (value is not null)
        {
            item[name] = S(value);
        }
    }

    public static bool IsPresent(Dictionary<string, AttributeValue>? item) => item is { Count: > 0 };

    public static string Str(Dictionary<string, AttributeValue> item, string name) =>
        OptStr(item, name) ?? throw new InvalidDataException($"ledger item {Describe(item)} has no attribute {name}");

    public static string? OptStr(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) ? value.S ?? value.N : null;

    public static long Num(Dictionary<string, AttributeValue> item, string name) =>
        OptNum(item, name) ?? throw new InvalidDataException($"ledger item {Describe(item)} has no number {name}");

    public static long? OptNum(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.N is { } n ? long.Parse(n, CultureInfo.InvariantCulture) : null;

    public static DateTimeOffset TimeOf(Dictionary<string, AttributeValue> item, string name) =>
        LedgerTime.Parse(Str(item, name));

    public static DateTimeOffset? OptTimeOf(Dictionary<string, AttributeValue> item, string name) =>
        OptStr(item, name) is { } text ? LedgerTime.Parse(text) : null;

    public static Dictionary<string, string> MapOf(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && value.M is { } map
            ? map.ToDictionary(pair => pair.Key, pair => pair.Value.S ?? string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    private static string Describe(Dictionary<string, AttributeValue> item) =>
        $"{OptStr(item, PkName)}/{OptStr(item, SkName)}";
}
