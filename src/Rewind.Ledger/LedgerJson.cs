using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rewind.Ledger;

/// <summary>Source-generated JSON for the few maps the SQLite ledger stores as text (NativeAOT: no reflection).</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class LedgerJsonContext : JsonSerializerContext;

/// <summary>String maps to and from JSON text, keys in ordinal order so equal maps store equal text.</summary>
internal static class LedgerJson
{
    public static string WriteMap(IReadOnlyDictionary<string, string> map)
    {
        var ordered = new Dictionary<string, string>(map.Count, StringComparer.Ordinal);
        foreach (var pair in map.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            ordered[pair.Key] = pair.Value;
        }

        return JsonSerializer.Serialize(ordered, LedgerJsonContext.Default.DictionaryStringString);
    }

    public static Dictionary<string, string> ReadMap(string json) =>
        JsonSerializer.Deserialize(json, LedgerJsonContext.Default.DictionaryStringString)
        ?? new Dictionary<string, string>(StringComparer.Ordinal);
}
