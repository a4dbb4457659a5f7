using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace HybridAI.Llama;

/// <content>
/// The weight types whose blocks are an F16 scale followed by 32 values that unpack to signed bytes (Q8_0, Q5_0) share
/// the AVX2 4×4 batch kernel (<see cref="SignedRows4x4Simd{TBlocks}"/>): only the unpacking differs, so it is a type
/// argument, specialized per struct by the JIT. (The AVX-512 kernels stay written out per type; see
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

    /// <summary>Q5_0: the nibbles and fifth bits unpacked to q − 16 (<see cref="Q5_0Signed"/>).</summary>
    private readonly struct Q5_0Blocks : ISignedBlocks
    {
        public static int BlockBytes => Q5_0Bytes;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<sbyte> Values(byte* block) => Q5_0Signed(block);
    }
}
