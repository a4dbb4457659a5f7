using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace HybridAI.Llama;

/// <content>
/// Block layouts as type arguments of shared kernels, specialized per struct by the JIT: only the unpacking differs between
/// the types. Q8_0 and Q5_0 unpack to signed bytes for the AVX2 4×4 batch kernel (<see cref="SignedRows4x4Simd{TBlocks}"/>);
/// Q4_0 and Q5_0 unpack to unsigned values with a fixed offset for the AVX2 four-row kernel
/// (<see cref="OffsetRows4Simd{TBlocks}"/>). (The AVX-512 batch kernels stay written out per type; see
/// <see cref="Q5_0Rows4x8Avx512"/>.)
/// </content>
internal static unsafe partial class VecDot
{
    /// <summary>A block layout: its size, and how its 32 values unpack to signed bytes. The F16 scale is the block's first two bytes.</summary>
    private interface ISignedBlocks
    {
        /// <summary>Gets the bytes of one block.</summary>
        static abstract int BlockBytes { get; }

        /// <summary>The 32 values of the block at <paramref name="block"/> as signed bytes.</summary>
        static abstract Vector256<sbyte> Values(byte* block);
    }

    /// <summary>Q8_0: the 32 signed bytes stored after the scale.</summary>
    private readonly struct Q8_0Blocks : ISignedBlocks
    {
        public static int BlockBytes => Q8_0Bytes;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<sbyte> Values(byte* block) => Vector256.Load((sbyte*)(block + 2));
    }

    /// <summary>
    /// A block layout whose 32 values are unsigned u minus a fixed offset o = 2^<see cref="OffsetShift"/> (Q4_0: nibbles − 8,
    /// Q5_0: five-bit values − 16): the four-row kernel <see cref="OffsetRows4Simd{TBlocks}"/> multiplies u and subtracts
    /// o·Σ x. The F16 scale is the block's first two bytes.
    /// </summary>
    private interface IOffsetBlocks
    {
        /// <summary>Gets the bytes of one block.</summary>
        static abstract int BlockBytes { get; }

        /// <summary>Gets log2 of the offset subtracted from every unsigned value.</summary>
        static abstract int OffsetShift { get; }

        /// <summary>The 32 unsigned values u of the block at <paramref name="block"/>, element e in byte e.</summary>
        static abstract Vector256<byte> Unsigned(byte* block);
    }

    /// <summary>Q5_0: the nibbles and fifth bits unpacked, to q − 16 (signed) or to u = q in 0..31 (offset 16).</summary>
    private readonly struct Q5_0Blocks : ISignedBlocks, IOffsetBlocks
    {
        public static int BlockBytes => Q5_0Bytes;

        public static int OffsetShift => 4;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<sbyte> Values(byte* block) => Q5_0Signed(block);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<byte> Unsigned(byte* block) => Q5_0Nibbles(block) | (Q5_0FifthBits(block) & Vector256.Create((byte)0x10));
    }

    /// <summary>Q4_0: the 32 nibbles after the scale, offset 8.</summary>
    private readonly struct Q4_0Blocks : IOffsetBlocks
    {
        public static int BlockBytes => Q4_0Bytes;

        public static int OffsetShift => 3;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<byte> Unsigned(byte* block) => Nibbles32(block + 2);
    }
}
