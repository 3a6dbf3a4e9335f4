using System.Buffers;
using System.Globalization;
using System.Text.Unicode;

namespace Rewind.Core.Configuration;

/// <summary>
/// Reads a configuration file (rewind.yaml, a smoke check file) as strict UTF-8 and at most
/// <see cref="MaxBytes"/> long: <c>--config /dev/zero</c> must not read for ever, and a byte that is not UTF-8 must
/// not silently become U+FFFD in a name or a URL.
/// </summary>
public static class ConfigFileText
{
    /// <summary>1 MiB: far above any real rewind.yaml or check file.</summary>
    public const int MaxBytes = 1024 * 1024;

    private static ReadOnlySpan<byte> Preamble => [0xEF, 0xBB, 0xBF];

    /// <summary>The file's text, or a <see cref="ConfigException"/> naming the byte offset of what is wrong.</summary>
    /// <exception cref="IOException">The file cannot be opened or read (the caller says which file).</exception>
    public static string Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = ReadAtMost(path, MaxBytes + 1);
        if (bytes.Length > MaxBytes)
        {
            throw new ConfigException(path, null, null, null,
                $"is larger than 1 MiB (byte {MaxBytes.ToString(CultureInfo.InvariantCulture)} is past the limit): keep it under 1 MiB (is it the right file?)");
        }

        var text = bytes.AsSpan().StartsWith(Preamble) ? bytes.AsSpan(Preamble.Length) : bytes.AsSpan();
        var characters = new char[text.Length];
        if (Utf8.ToUtf16(text, characters, out var consumed, out var written, replaceInvalidSequences: false) == OperationStatus.InvalidData)
        {
            var offset = consumed + (bytes.Length - text.Length);
            throw new ConfigException(path, null, null, null,
                $"is not valid UTF-8 (byte offset {offset.ToString(CultureInfo.InvariantCulture)}): save it as UTF-8 text");
        }

        return new string(characters, 0, written);
    }

    private static byte[] ReadAtMost(string path, int limit)
    {
        // FileOptions.None and a plain read loop: a character device such as /dev/zero has no length to trust.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
        var buffer = new byte[Math.Min(limit, stream.CanSeek && stream.Length > 0 ? (int)Math.Min(stream.Length + 1, limit) : 64 * 1024)];
        var total = 0;
        while (total < limit)
        {
            if (total == buffer.Length)
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, limit));
            var read = stream.Read(buffer, total, buffer.Length - total);
            if (read == 0)
                break;
            total += read;
        }
        return total == buffer.Length ? buffer : buffer[..total];
    }
}
