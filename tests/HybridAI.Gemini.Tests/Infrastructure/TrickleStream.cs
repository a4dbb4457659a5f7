namespace HybridAI.Gemini.Tests;

/// <summary>A read-only stream that hands out its bytes a few at a time (sizes from a pattern), like a slow network.</summary>
internal sealed class TrickleStream : Stream
{
    private readonly byte[] _bytes;
    private readonly int[] _sizes;
    private int _position;
    private int _read;

    public TrickleStream(byte[] bytes, params int[] sizes)
    {
        _bytes = bytes;
        _sizes = sizes.Length == 0 ? [1] : sizes;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var size = Math.Min(Math.Min(_sizes[_read++ % _sizes.Length], buffer.Length), _bytes.Length - _position);
        _bytes.AsSpan(_position, size).CopyTo(buffer);
        _position += size;
        return size;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
