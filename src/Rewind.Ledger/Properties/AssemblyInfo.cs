using System.Runtime.CompilerServices;

// The migration tests build an old ledger with the shipped migrations themselves, exactly as an older build did.
[assembly: InternalsVisibleTo("Rewind.Ledger.Tests")]
