using System.Collections.Concurrent;

namespace HybridAI;

/// <summary>
/// Remembers which model served each conversation's last turn, so that the conversation keeps to it, and which provider
/// that was, so that a move to another provider is detected and the history carried in provider-neutral form.
/// </summary>
/// <remarks>
/// Thread-safe. Entries expire after an idle time measured with the injected <see cref="TimeProvider"/>; the store holds at
/// most a fixed number of conversations and forgets expired ones first when full.
/// </remarks>
internal sealed class ConversationAffinity(TimeProvider timeProvider, int capacity = 100_000)
{
    private TimeSpan _idleTimeout = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Gets or sets how long a conversation may stay idle before it is forgotten (set from configuration).</summary>
    public TimeSpan IdleTimeout
    {
        get => _idleTimeout;
        set => _idleTimeout = value;
    }

    public Entry? Get(string conversationKey)
    {
        if (!_entries.TryGetValue(conversationKey, out var entry))
        {
            return null;
        }

        if (timeProvider.GetUtcNow() - entry.LastUsed > _idleTimeout)
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(conversationKey, entry));
            return null;
        }

        return entry;
    }

    public void Set(string conversationKey, ModelEntry model)
    {
        var now = timeProvider.GetUtcNow();
        if (_entries.TryGetValue(conversationKey, out var existing) && string.Equals(existing.Model, model.Name, StringComparison.Ordinal)
            && now - existing.LastUsed < TimeSpan.FromSeconds(1))
        {
            return;
        }

        if (_entries.Count >= capacity && !_entries.ContainsKey(conversationKey))
        {
            foreach (var pair in _entries)
            {
                if (now - pair.Value.LastUsed > _idleTimeout)
                {
                    _entries.TryRemove(pair);
                }
            }

            if (_entries.Count >= capacity)
            {
                return;
            }
        }

        _entries[conversationKey] = new Entry(model.Name, model.Descriptor.Provider, now);
    }

    internal sealed record Entry(string Model, string Provider, DateTimeOffset LastUsed);
}
