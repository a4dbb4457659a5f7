using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace HybridAI.Llama;

/// <summary>The key-value metadata of a GGUF file, in file order, with typed accessors that report problems precisely.</summary>
/// <remarks>
/// Immutable; safe to share between threads. <c>GetX</c> throws <see cref="GgufFormatException"/> (naming the file, the key and
/// the key's offset) when the key is missing or its value has the wrong type or range. <c>TryGetX</c> returns false only when
/// the key is missing; a present value of the wrong type still throws, so a corrupt file is never mistaken for a default.
/// Array accessors return a new array each call.
/// </remarks>
[SuppressMessage("Naming", "CA1710", Justification = "Metadata is the GGUF specification's word for it.")]
public sealed class GgufMetadata : IReadOnlyDictionary<string, GgufValue>
{
    private readonly KeyValuePair<string, GgufValue>[] _ordered;
    private readonly Dictionary<string, GgufValue> _byKey;

    internal GgufMetadata(string filePath, KeyValuePair<string, GgufValue>[] ordered, Dictionary<string, GgufValue> byKey)
    {
        FilePath = filePath;
        _ordered = ordered;
        _byKey = byKey;
    }

    /// <summary>Gets the path of the file the metadata was read from (used in error messages).</summary>
    public string FilePath { get; }

    /// <inheritdoc/>
    public int Count => _ordered.Length;

    /// <summary>Gets the keys in file order.</summary>
    public IEnumerable<string> Keys => _ordered.Select(static pair => pair.Key);

    /// <summary>Gets the values in file order.</summary>
    public IEnumerable<GgufValue> Values => _ordered.Select(static pair => pair.Value);

    /// <summary>Gets the value of a key; throws <see cref="GgufFormatException"/> when it is missing.</summary>
    /// <param name="key">The key.</param>
    public GgufValue this[string key] => TryGetValue(key, out var value) ? value : throw Missing(key);

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _byKey.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, out GgufValue value) => _byKey.TryGetValue(key, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, GgufValue>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, GgufValue>>)_ordered).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Gets a string value.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The string.</returns>
    public string GetString(string key) => TryGetString(key, out var value) ? value : throw Missing(key);

    /// <summary>Gets a string value if the key is present.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The string.</param>
    /// <returns>False when the key is missing.</returns>
    public bool TryGetString(string key, [NotNullWhen(true)] out string? value)
    {
        value = null;
        if (!_byKey.TryGetValue(key, out var raw))
        {
            return false;
        }

        value = raw.Value as string ?? throw WrongType(key, raw, "a string");
        return true;
    }

    /// <summary>Gets an integer value of any GGUF integer type as an unsigned 32-bit integer, range-checked.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    public uint GetUInt32(string key) => TryGetUInt32(key, out var value) ? value : throw Missing(key);

    /// <summary>Gets an integer value of any GGUF integer type as an unsigned 32-bit integer, range-checked, if the key is present.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <returns>False when the key is missing.</returns>
    public bool TryGetUInt32(string key, out uint value)
    {
        value = 0;
        if (!TryGetInteger(key, "an unsigned 32-bit integer", out var raw, out var integer))
        {
            return false;
        }

        value = integer >= 0 && integer <= uint.MaxValue ? (uint)integer : throw OutOfRange(key, raw, "an unsigned 32-bit integer");
        return true;
    }

    /// <summary>Gets an integer value of any GGUF integer type as a signed 32-bit integer, range-checked.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    public int GetInt32(string key) => TryGetInt32(key, out var value) ? value : throw Missing(key);

    /// <summary>Gets an integer value of any GGUF integer type as a signed 32-bit integer, range-checked, if the key is present.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <returns>False when the key is missing.</returns>
    public bool TryGetInt32(string key, out int value)
    {
        value = 0;
        if (!TryGetInteger(key, "a 32-bit integer", out var raw, out var integer))
        {
            return false;
        }

        value = integer >= int.MinValue && integer <= int.MaxValue ? (int)integer : throw OutOfRange(key, raw, "a 32-bit integer");
        return true;
    }

    /// <summary>Gets a non-negative integer value of any GGUF integer type as an unsigned 64-bit integer.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    public ulong GetUInt64(string key) => TryGetUInt64(key, out var value) ? value : throw Missing(key);

    /// <summary>Gets a non-negative integer value of any GGUF integer type as an unsigned 64-bit integer, if the key is present.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <returns>False when the key is missing.</returns>
    public bool TryGetUInt64(string key, out ulong value)
    {
        value = 0;
        if (!TryGetInteger(key, "an unsigned 64-bit integer", out var raw, out var integer))
        {
            return false;
        }

        value = integer >= 0 ? (ulong)integer : throw OutOfRange(key, raw, "an unsigned 64-bit integer");
        return true;
    }

    /// <summary>Gets a float value (stored as f32 or f64).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    public float GetFloat32(string key) => TryGetFloat32(key, out var value) ? value : throw Missing(key);

    /// <summary>Gets a float value (stored as f32 or f64) if the key is present.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <returns>False when the key is missing.</returns>
    public bool TryGetFloat32(string key, out float value)
    {
        value = 0;
        if (!_byKey.TryGetValue(key, out var raw))
        {
            return false;
        }

        value = raw.Value switch
        {
            float f => f,
            double d => (float)d,
            _ => throw WrongType(key, raw, "a float"),
        };
        return true;
    }

    /// <summary>Gets a boolean value.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The value.</returns>
    public bool GetBool(string key) => TryGetBool(key, out var value) ? value : throw Missing(key);

    /// <summary>Gets a boolean value if the key is present.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <returns>False when the key is missing.</returns>
    public bool TryGetBool(string key, out bool value)
    {
        value = false;
        if (!_byKey.TryGetValue(key, out var raw))
        {
            return false;
        }

        value = raw.Value is bool b ? b : throw WrongType(key, raw, "a bool");
        return true;
    }

    /// <summary>Gets an array of strings (a copy).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The strings.</returns>
    public string[] GetStringArray(string key) => TryGetStringArray(key, out var value) ? value : throw Missing(key);

    /// <summary>Gets an array of strings (a copy) if the key is present.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The strings.</param>
    /// <returns>False when the key is missing.</returns>
    public bool TryGetStringArray(string key, [NotNullWhen(true)] out string[]? value)
    {
        value = null;
        if (!_byKey.TryGetValue(key, out var raw))
        {
            return false;
        }

        value = raw.Value is string[] strings && raw.ElementType == GgufValueType.String
            ? (string[])strings.Clone()
            : throw WrongType(key, raw, "an array of strings");
        return true;
    }

    /// <summary>Gets an array of floats (stored as f32 or f64 elements; a copy).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The floats.</returns>
    public float[] GetFloat32Array(string key) => TryGetFloat32Array(key, out var value) ? value : throw Missing(key);

    /// <summary>Gets an array of floats (stored as f32 or f64 elements; a copy) if the key is present.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The floats.</param>
    /// <returns>False when the key is missing.</returns>
    public bool TryGetFloat32Array(string key, [NotNullWhen(true)] out float[]? value)
    {
        value = null;
        if (!_byKey.TryGetValue(key, out var raw))
        {
            return false;
        }

        value = raw.Type == GgufValueType.Array ? raw.Value switch
        {
            float[] floats when raw.ElementType == GgufValueType.Float32 => (float[])floats.Clone(),
            double[] doubles when raw.ElementType == GgufValueType.Float64 => Array.ConvertAll(doubles, static d => (float)d),
            _ => throw WrongType(key, raw, "an array of floats"),
        } : throw WrongType(key, raw, "an array of floats");
        return true;
    }

    /// <summary>Gets an array of 32-bit integers (stored as i32 or u32 elements, range-checked; a copy).</summary>
    /// <param name="key">The key.</param>
    /// <returns>The integers.</returns>
    public int[] GetInt32Array(string key) => TryGetInt32Array(key, out var value) ? value : throw Missing(key);

    /// <summary>Gets an array of 32-bit integers (stored as i32 or u32 elements, range-checked; a copy) if the key is present.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The integers.</param>
    /// <returns>False when the key is missing.</returns>
    public bool TryGetInt32Array(string key, [NotNullWhen(true)] out int[]? value)
    {
        value = null;
        if (!_byKey.TryGetValue(key, out var raw))
        {
            return false;
        }

        // Matched on the element type, not the CLR type: the runtime lets a uint[] pass for an int[].
        switch (raw.Type == GgufValueType.Array ? raw.ElementType : raw.Type)
        {
            case GgufValueType.Int32 when raw.Value is int[] ints:
                value = (int[])ints.Clone();
                return true;
            case GgufValueType.UInt32 when raw.Value is uint[] uints:
                value = new int[uints.Length];
                for (var i = 0; i < uints.Length; i++)
                {
                    value[i] = uints[i] <= int.MaxValue ? (int)uints[i] : throw OutOfRange(key, raw, "an array of 32-bit integers");
                }

                return true;
            default:
                throw WrongType(key, raw, "an array of 32-bit integers");
        }
    }

    private bool TryGetInteger(string key, string expected, out GgufValue raw, out Int128 integer)
    {
        integer = 0;
        if (!_byKey.TryGetValue(key, out raw))
        {
            return false;
        }

        integer = raw.Value switch
        {
            byte v => v,
            sbyte v => v,
            ushort v => v,
            short v => v,
            uint v => v,
            int v => v,
            ulong v => v,
            long v => v,
            _ => throw WrongType(key, raw, expected),
        };
        return true;
    }

    private GgufFormatException Missing(string key) => new(FilePath, key, -1, "the key is missing");

    private GgufFormatException WrongType(string key, GgufValue raw, string expected) =>
        new(FilePath, key, raw.Offset, $"expected {expected}, found {Describe(raw)}");

    private GgufFormatException OutOfRange(string key, GgufValue raw, string expected) =>
        new(FilePath, key, raw.Offset, $"the value {raw} does not fit {expected}");

    private static string Describe(GgufValue raw) => raw.Type == GgufValueType.Array ? $"an array of {raw.ElementType}" : raw.Type.ToString();
}
