using System.IO.MemoryMappedFiles;

namespace HybridAI.Llama;

/// <summary>
/// A GGUF file (version 2 or 3), memory-mapped read-only: the header is parsed and validated once at <see cref="Open"/>,
/// and tensor data is read in place from the map, never copied.
/// </summary>
/// <remarks>
/// Once opened, every member is safe to call from any number of threads. Spans and pointers over tensor data are valid
/// until <see cref="Dispose"/>, which must not run concurrently with readers. Malformed or unsupported files make
/// <see cref="Open"/> throw <see cref="GgufFormatException"/> naming the file, the field and the offset.
/// </remarks>
public sealed unsafe class GgufFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly Dictionary<string, GgufTensorInfo> _tensorsByName;
    private byte* _base;

    private GgufFile(string filePath, long fileSize, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* fileBase)
    {
        FilePath = filePath;
        FileSize = fileSize;
        _map = map;
        _view = view;
        _base = fileBase;
        var parser = new GgufParser(fileBase, fileSize, filePath, this);
        parser.Parse();
        Version = parser.Version;
        Alignment = parser.Alignment;
        DataSectionOffset = parser.DataSectionOffset;
        Metadata = parser.Metadata;
        Tensors = parser.Tensors.AsReadOnly();
        _tensorsByName = parser.Tensors.ToDictionary(static t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Gets the path the file was opened from.</summary>
    public string FilePath { get; }

    /// <summary>Gets the GGUF version (2 or 3).</summary>
    public uint Version { get; }

    /// <summary>Gets the size of the file in bytes.</summary>
    public long FileSize { get; }

    /// <summary>Gets the alignment of the data section and of each tensor's data (<c>general.alignment</c>, default 32).</summary>
    public int Alignment { get; }

    /// <summary>Gets the absolute offset where the data section begins.</summary>
    public long DataSectionOffset { get; }

    /// <summary>Gets the key-value metadata.</summary>
    public GgufMetadata Metadata { get; }

    /// <summary>Gets the tensors in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Opens and validates a GGUF file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The open file; dispose it to release the map.</returns>
    /// <exception cref="GgufFormatException">The file is malformed or of an unsupported version.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static GgufFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        var acquired = false;
        try
        {
            var length = stream.Length;
            if (length == 0)
            {
                throw new GgufFormatException(path, "magic", 0, "the file is empty");
            }

            // The map owns the stream from here on, and the view keeps the pages mapped until Dispose.
            map = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            acquired = true;
            return new GgufFile(path, length, map, view, pointer + view.PointerOffset);
        }
        catch
        {
            if (acquired)
            {
                view!.SafeMemoryMappedViewHandle.ReleasePointer();
            }

            view?.Dispose();
            if (map is null)
            {
                stream.Dispose();
            }
            else
            {
                map.Dispose();
            }

            throw;
        }
    }

    /// <summary>Finds a tensor by name.</summary>
    /// <param name="name">The tensor's name.</param>
    /// <returns>The tensor, or null when the file has none of that name.</returns>
    public GgufTensorInfo? FindTensor(string name) => _tensorsByName.GetValueOrDefault(name);

    /// <summary>Gets a tensor by name.</summary>
    /// <param name="name">The tensor's name.</param>
    /// <returns>The tensor.</returns>
    /// <exception cref="GgufFormatException">The file has no tensor of that name.</exception>
    public GgufTensorInfo GetTensor(string name) =>
        FindTensor(name) ?? throw new GgufFormatException(FilePath, name, -1, "the tensor is missing");

    /// <summary>Gets a tensor's bytes, in place in the map.</summary>
    /// <param name="tensor">A tensor of this file.</param>
    /// <returns>The bytes; valid until the file is disposed.</returns>
    /// <exception cref="GgufFormatException">The tensor is 2 GiB or larger (a span cannot hold it).</exception>
    public ReadOnlySpan<byte> GetTensorBytes(GgufTensorInfo tensor)
    {
        var pointer = GetTensorPointer(tensor);
        if (tensor.ByteSize > int.MaxValue)
        {
            throw new GgufFormatException(FilePath, tensor.Name, tensor.DataOffset, $"the tensor's {tensor.ByteSize} bytes do not fit a span (2 GiB at most)");
        }

        return new ReadOnlySpan<byte>(pointer, (int)tensor.ByteSize);
    }

    /// <summary>Gets a pointer to a tensor's first byte in the map, valid until the file is disposed.</summary>
    /// <param name="tensor">A tensor of this file.</param>
    /// <returns>The pointer.</returns>
    internal byte* GetTensorPointer(GgufTensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ObjectDisposedException.ThrowIf(_base is null, this);
        if (!ReferenceEquals(tensor.Owner, this))
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' belongs to another file.", nameof(tensor));
        }

        return _base + tensor.DataOffset;
    }

    /// <summary>Gets a pointer to the first byte of the file in the map, valid until the file is disposed.</summary>
    internal byte* BasePointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_base is null, this);
            return _base;
        }
    }

    /// <summary>Releases the map; spans and pointers obtained from this file become invalid.</summary>
    public void Dispose()
    {
        if (_base is null)
        {
            return;
        }

        _base = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
