namespace HybridAI.Llama;

/// <summary>One metadata value of a GGUF file.</summary>
/// <remarks>
/// <see cref="Value"/> holds the CLR value: <see cref="byte"/>, <see cref="sbyte"/>, <see cref="ushort"/>, <see cref="short"/>,
/// <see cref="uint"/>, <see cref="int"/>, <see cref="float"/>, <see cref="bool"/>, <see cref="string"/>, <see cref="ulong"/>,
/// <see cref="long"/> or <see cref="double"/> for scalars, and a typed array of those for arrays (<c>string[]</c>, <c>float[]</c>,
/// <c>int[]</c> …). An array of arrays holds a <c>GgufValue[]</c> whose elements are arrays. Arrays are shared, not copied:
/// do not modify them. The struct is immutable and safe to share between threads.
/// </remarks>
public readonly struct GgufValue : IEquatable<GgufValue>
{
    internal GgufValue(GgufValueType type, object value, GgufValueType elementType = default, long offset = -1)
    {
        Type = type;
        Value = value;
        ElementType = elementType;
        Offset = offset;
    }

    /// <summary>Gets the type of the value.</summary>
    public GgufValueType Type { get; }

    /// <summary>Gets the type of the elements when <see cref="Type"/> is <see cref="GgufValueType.Array"/>; otherwise meaningless.</summary>
    public GgufValueType ElementType { get; }

    /// <summary>Gets the value: a boxed scalar, a string, or a typed array (see the type's remarks).</summary>
    public object Value { get; }

    /// <summary>
    /// Gets the offset in the file where the key-value pair begins (for an element of an array of arrays, where the element
    /// begins), or -1 for a value that was not read from a file.
    /// </summary>
    public long Offset { get; }

    /// <summary>Gets the number of elements of an array value, or 0 for a scalar.</summary>
    public int ArrayLength => Value is Array array && Type == GgufValueType.Array ? array.Length : 0;

    /// <inheritdoc/>
    public override string ToString() => Type == GgufValueType.Array
        ? $"{ElementType}[{ArrayLength}]"
        : Convert.ToString(Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;

    /// <inheritdoc/>
    public bool Equals(GgufValue other) =>
        Type == other.Type && ElementType == other.ElementType && Offset == other.Offset && Equals(Value, other.Value);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is GgufValue other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, ElementType, Offset, Value);

    /// <summary>Compares two values (arrays by reference).</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns>True when both are equal.</returns>
    public static bool operator ==(GgufValue left, GgufValue right) => left.Equals(right);

    /// <summary>Compares two values (arrays by reference).</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns>True when they differ.</returns>
    public static bool operator !=(GgufValue left, GgufValue right) => !left.Equals(right);
}
