using System.Text;

namespace HybridAI.Llama;

/// <summary>
/// Finds stop sequences in streamed text. Text that could be the start of a stop sequence is held back until the next
/// pieces tell whether it is one, so the caller never sees any part of a stop sequence.
/// </summary>
/// <remarks>Not thread-safe: one per generation.</remarks>
internal sealed class StopSequenceMatcher
{
    private readonly string[] _stops;
    private readonly StringBuilder _held = new();

    /// <summary>Creates a matcher for <paramref name="stopSequences"/> (empty strings are ignored).</summary>
    public StopSequenceMatcher(IEnumerable<string> stopSequences)
    {
        ArgumentNullException.ThrowIfNull(stopSequences);
        _stops = [.. stopSequences.Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Gets a value telling whether any text is being held back.</summary>
    public bool IsHolding => _held.Length > 0;

    /// <summary>Adds a piece of output and returns the text that is safe to release.</summary>
    /// <param name="text">The new piece.</param>
    /// <param name="stopped">Set when a stop sequence is complete; the returned text then ends just before it.</param>
    public string Push(string text, out bool stopped)
    {
        stopped = false;
        if (_stops.Length == 0)
        {
            return text;
        }

        _held.Append(text);
        var pending = _held.ToString();

        var stopAt = -1;
        foreach (var stop in _stops)
        {
            var index = pending.IndexOf(stop, StringComparison.Ordinal);
            if (index >= 0 && (stopAt < 0 || index < stopAt))
            {
                stopAt = index;
            }
        }

        if (stopAt >= 0)
        {
            stopped = true;
            _held.Clear();
            return pending[..stopAt];
        }

        var hold = 0;
        foreach (var stop in _stops)
        {
            for (var length = Math.Min(stop.Length - 1, pending.Length); length > hold; length--)
            {
                if (pending.AsSpan(pending.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    hold = length;
                    break;
                }
            }
        }

        _held.Clear();
        _held.Append(pending, pending.Length - hold, hold);
        return pending[..^hold];
    }

    /// <summary>Releases the held-back text: the output ended without completing a stop sequence.</summary>
    public string Flush()
    {
        var rest = _held.ToString();
        _held.Clear();
        return rest;
    }
}
