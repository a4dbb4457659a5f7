using System.Buffers;

namespace HybridAI.Gemini;

/// <summary>
/// Reads the <c>data</c> of server-sent events from a stream as the bytes arrive: chunks may split lines, line ends and UTF-8
/// characters anywhere; lines end in LF, CRLF or CR; several <c>data:</c> lines of one event are joined with LF.
/// </summary>
/// <remarks>
/// Follows the WHATWG event-stream rules that matter for data: comments (<c>:</c>) and other fields are ignored, one space after
/// the colon is removed, and an event that the stream ends in the middle of is discarded. Not thread-safe.
/// </remarks>
internal sealed class ServerSentEventReader : IDisposable
{
    private const int InitialBufferSize = 16 * 1024;
    private readonly Stream _stream;
    private readonly ArrayBufferWriter<byte> _data = new(InitialBufferSize);
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _endOfStream;

    public ServerSentEventReader(Stream stream)
    {
        _stream = stream;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    }

    /// <summary>
    /// Reads the next event that has a data field and returns its data (UTF-8), valid until the next call; null when the stream
    /// has ended.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadEventDataAsync(CancellationToken cancellationToken)
    {
        _data.ResetWrittenCount();
        var hasData = false;
        while (true)
        {
            while (TryTakeLine(out var lineStart, out var lineLength))
            {
                if (lineLength == 0)
                {
                    if (hasData)
                    {
                        return _data.WrittenMemory;
                    }

                    continue; // An event without data is not dispatched.
                }

                AddField(_buffer.AsSpan(lineStart, lineLength), ref hasData);
            }

            if (_endOfStream)
            {
                return null;
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool TryTakeLine(out int lineStart, out int lineLength)
    {
        lineStart = _start;
        lineLength = 0;
        var pending = _buffer.AsSpan(_start, _end - _start);
        var index = pending.IndexOfAny((byte)'\r', (byte)'\n');
        if (index < 0)
        {
            return false;
        }

        var next = _start + index + 1;
        if (pending[index] == (byte)'\r')
        {
            if (next == _end && !_endOfStream)
            {
                return false; // A CR at the end of what arrived: wait to see whether an LF follows.
            }

            if (next < _end && _buffer[next] == (byte)'\n')
            {
                next++;
            }
        }

        lineLength = index;
        _start = next;
        return true;
    }

    private void AddField(ReadOnlySpan<byte> line, ref bool hasData)
    {
        if (line[0] == (byte)':')
        {
            return; // A comment.
        }

        var colon = line.IndexOf((byte)':');
        var name = colon < 0 ? line : line[..colon];
        if (!name.SequenceEqual("data"u8))
        {
            return; // event, id and retry do not matter to Gemini's stream.
        }

        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (value.Length > 0 && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        if (hasData)
        {
            _data.Write("\n"u8);
        }

        _data.Write(value);
        hasData = true;
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _endOfStream = true;
        }
        else
        {
            _end += read;
        }
    }
}
