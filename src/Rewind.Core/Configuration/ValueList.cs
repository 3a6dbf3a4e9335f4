using System.Collections;

namespace Rewind.Core.Configuration;

/// <summary>An immutable list compared by its items, so configuration records stay equal when their lists are.</summary>
public sealed class ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    private readonly T[] _items;

    public ValueList(IEnumerable<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = [.. items];
    }

    /// <summary>The list with no items.</summary>
    public static ValueList<T> Empty { get; } = new([]);

    public int Count => _items.Length;

    public T this[int index] => _items[index];

    public bool Equals(ValueList<T>? other) =>
        other is not null && _items.AsSpan().SequenceEqual(other._items, EqualityComparer<T>.Default);

    public override bool Equals(object? obj) => Equals(obj as ValueList<T>);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var item in _items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public override string ToString() => $"[{string.Join(", ", _items)}]";
}

/// <summary>Creates <see cref="ValueList{T}"/>s.</summary>
public static class ValueList
{
    /// <summary>A list of the given items.</summary>
    public static ValueList<T> Of<T>(params ReadOnlySpan<T> items) => new(items.ToArray());
}
