namespace DaprShop.Run.RunFiles;

/// <summary>A run file the runner refuses; the message is one line naming the file, the line and the field.</summary>
public sealed class RunFileException : Exception
{
    public RunFileException()
    {
    }

    public RunFileException(string message)
        : base(message)
    {
    }

    public RunFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
