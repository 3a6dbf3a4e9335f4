using System.Runtime.CompilerServices;

// The migration tests build an old ledger with the shipped migrations themselves, exactly as an older build did.
[assembly: InternalsVisibleTo("Rewind.Ledger.Tests")]

// The CLI's exit-code tests feed DynamoErrors the SDK's own exceptions, to prove one AWS condition exits one way from every source.
[assembly: InternalsVisibleTo("Rewind.Cli.Tests")]
