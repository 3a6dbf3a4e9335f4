using System.Text.Json.Nodes;
using Rewind.Playbook.Incident;

namespace Rewind.Playbook.Tests.Fakes;

/// <summary>
/// An issue tracker in memory: creates tickets <c>T-1</c>, <c>T-2</c>…, finds them by the run's marker, reads them back.
/// <see cref="CrashAfterCreate"/> kills the run once the tracker holds the ticket but before the answer is journaled;
/// <see cref="Refuses"/> makes every create fail.
/// </summary>
internal sealed class FakeTracker : ITicketTracker
{
    private readonly List<(Ticket Ticket, string Marker)> _tickets = [];

    public string Name => "github";
    public string Target => "acme/api";

    public int Creates { get; private set; }

    public bool CrashAfterCreate { get; set; }

    public bool Refuses { get; set; }

    public CancellationTokenSource Kill { get; } = new();

    public Task CheckAccessAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public (string Request, JsonObject Body) Describe(TicketRequest request) =>
        ($"POST {Target}", new JsonObject { ["title"] = request.Title, ["assignee"] = request.Owner });

    public async Task<Ticket> CreateAsync(TicketRequest request, CancellationToken cancellationToken)
    {
        Creates++;
        if (Refuses)
            throw new InvalidOperationException("github: 403 Forbidden");
        var id = $"T-{_tickets.Count + 1}";
        var ticket = new Ticket(id, $"acme/api#{id}", $"https://tracker.example/{id}", request.Title, request.Owner, [], null);
        _tickets.Add((ticket, request.Marker));
        if (CrashAfterCreate)
        {
            CrashAfterCreate = false;
            await Kill.CancelAsync();
            throw new OperationCanceledException(Kill.Token);
        }
        return ticket;
    }

    public Task<Ticket?> FindAsync(TicketRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(_tickets.Where(t => t.Marker == request.Marker).Select(t => t.Ticket).FirstOrDefault());

    public Task<Ticket> ReadAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(_tickets.Single(t => t.Ticket.Id == id).Ticket);
}
