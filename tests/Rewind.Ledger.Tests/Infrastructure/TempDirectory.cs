namespace Rewind.Ledger.Tests.Infrastructure;

/// <summary>A directory of its own for one test, deleted afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rewind-ledger-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A killed workload may still hold a handle for a moment; the OS temp cleaner will get it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
