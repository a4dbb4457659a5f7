using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace HybridAI.Llama;

/// <summary>
/// An open-addressing map from UTF-8 text to a dense id, looked up by <see cref="ReadOnlySpan{T}"/> of bytes so that
/// encoding never builds strings. Ids are given in insertion order; adding a text twice keeps the later id for lookups,
/// as llama.cpp's <c>token_to_id[word] = i</c> does.
/// </summary>
/// <remarks>Built once, then read-only: concurrent lookups are safe, <see cref="Add"/> is not.</remarks>
internal sealed class TokenTextTable
{
    private byte[] _bytes;
    private int _byteCount;
    private int[] _starts;   // [id] -> start in _bytes
    private int[] _lengths;  // [id] -> length
    private int[] _slots;    // open addressing: id + 1, 0 = empty
    private int _count;

    /// <summary>Creates a table sized for about <paramref name="capacity"/> texts.</summary>
    public TokenTextTable(int capacity)
    {
        capacity = Math.Max(capacity, 16);
        _bytes = new byte[capacity * 8];
        _starts = new int[capacity];
        _lengths = new int[capacity];
        _slots = new int[(int)BitOperations.RoundUpToPowerOf2((uint)capacity * 2)];
    }

    /// <summary>Gets the number of ids given out.</summary>
    public int Count => _count;

    /// <summary>Gets the UTF-8 text of <paramref name="id"/>.</summary>
    public ReadOnlySpan<byte> this[int id] => _bytes.AsSpan(_starts[id], _lengths[id]);

    /// <summary>Adds <paramref name="text"/> under the next id and returns that id (even when the text was there before).</summary>
    public int Add(ReadOnlySpan<byte> text)
    {
        if (_count == _starts.Length)
        {
            Array.Resize(ref _starts, _count * 2);
            Array.Resize(ref _lengths, _count * 2);
        }

        if (_byteCount + text.Length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _byteCount + text.Length));
        }

        if ((_count + 1) * 2 > _slots.Length)
        {
            Rehash(_slots.Length * 2);
        }

        var id = _count++;
        text.CopyTo(_bytes.AsSpan(_byteCount));
        _starts[id] = _byteCount;
        _lengths[id] = text.Length;
        _byteCount += text.Length;

        var mask = _slots.Length - 1;
        var slot = (int)Hash(text) & mask;
        while (true)
        {
            var entry = _slots[slot];
            if (entry == 0)
            {
                _slots[slot] = id + 1;
                break;
            }

            if (this[entry - 1].SequenceEqual(text))
            {
                _slots[slot] = id + 1; // the later id wins
                break;
            }

            slot = (slot + 1) & mask;
        }

        return id;
    }

    /// <summary>Returns the id of <paramref name="text"/>, or -1.</summary>
    public int Find(ReadOnlySpan<byte> text)
    {
        var slots = _slots;
        var mask = slots.Length - 1;
        var slot = (int)Hash(text) & mask;
        while (true)
        {
            var entry = slots[slot];
            if (entry == 0)
            {
                return -1;
            }

            var id = entry - 1;
            if (_lengths[id] == text.Length && _bytes.AsSpan(_starts[id], text.Length).SequenceEqual(text))
            {
                return id;
            }

            slot = (slot + 1) & mask;
        }
    }

    private void Rehash(int size)
    {
        var slots = new int[size];
        var mask = size - 1;
        foreach (var entry in _slots)
        {
            if (entry == 0)
            {
                continue;
            }

            var slot = (int)Hash(this[entry - 1]) & mask;
            while (slots[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            slots[slot] = entry;
        }

        _slots = slots;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(ReadOnlySpan<byte> text)
    {
        // FNV-1a over 4-byte words, then a final mix; texts are short (a token), so this is cheap and spreads well.
        uint h = 2166136261;
        var i = 0;
        for (; i + 4 <= text.Length; i += 4)
        {
            h = (h ^ BinaryPrimitives.ReadUInt32LittleEndian(text.Slice(i))) * 16777619;
        }

        for (; i < text.Length; i++)
        {
            h = (h ^ text[i]) * 16777619;
        }

        h ^= (uint)text.Length;
        h ^= h >> 16;
        h *= 0x7FEB352D;
        h ^= h >> 15;
        return h;
    }
}
