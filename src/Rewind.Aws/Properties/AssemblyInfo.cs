using System.Runtime.CompilerServices;

// The transport's backoff arithmetic is internal; its tests pin the jitter and check the bounds directly.
[assembly: InternalsVisibleTo("Rewind.Aws.Tests")]
