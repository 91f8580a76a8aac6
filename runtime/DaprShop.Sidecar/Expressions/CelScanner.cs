namespace DaprShop.Sidecar.Expressions;

/// <summary>Words a syntax error in an expression: its text, the 1-based position the scanner is at, and the problem found there.</summary>
internal delegate string CelErrorFormat(string text, int position, string problem);

/// <summary>
/// The cursor the CEL subsets in the sidecar parse with (<see cref="Resiliency.TripExpression"/>,
/// <see cref="PubSub.RouteExpression"/>): it skips white space, peeks and takes tokens and
/// identifiers, and words errors at its position the way its language does.
/// </summary>
internal sealed class CelScanner(string text, CelErrorFormat format)
{
    /// <summary>The expression as written.</summary>
    public string Text { get; } = text;

    /// <summary>The 0-based index of the next character to read.</summary>
    public int Position { get; private set; }

    public bool AtEnd => Position >= Text.Length;

    /// <summary>The text from <see cref="Position"/> on.</summary>
    public string Rest => Text[Position..];

    /// <summary>The character <paramref name="ahead"/> characters past the position, or <c>'\0'</c> past the end.</summary>
    public char Peek(int ahead = 0) => Position + ahead < Text.Length ? Text[Position + ahead] : '\0';

    public void Advance(int count = 1) => Position = Math.Min(Position + count, Text.Length);

    /// <summary>Goes back (or on) to <paramref name="position"/>, so that an error points at where a token starts.</summary>
    public void MoveTo(int position) => Position = Math.Clamp(position, 0, Text.Length);

    /// <summary>The text from <paramref name="start"/> up to the position.</summary>
    public string Since(int start) => Text[start..Position];

    public void SkipSpace()
    {
        while (!AtEnd && char.IsWhiteSpace(Text[Position]))
        {
            Position++;
        }
    }

    /// <summary>After white space, takes <paramref name="token"/> if the text goes on with it.</summary>
    public bool TryTake(string token)
    {
        SkipSpace();
        if (string.CompareOrdinal(Text, Position, token, 0, token.Length) == 0)
        {
            Position += token.Length;
            return true;
        }

        return false;
    }

    /// <summary>After white space, takes the first of <paramref name="tokens"/> the text goes on with (list longer tokens before their prefixes).</summary>
    public bool TryTakeAny(ReadOnlySpan<string> tokens, out string token)
    {
        foreach (var candidate in tokens)
        {
            if (TryTake(candidate))
            {
                token = candidate;
                return true;
            }
        }

        token = string.Empty;
        return false;
    }

    /// <summary>After white space, takes a logical <c>!</c>, not the start of <c>!=</c>.</summary>
    public bool TryTakeNot()
    {
        SkipSpace();
        if (Peek() == '!' && Peek(1) != '=')
        {
            Position++;
            return true;
        }

        return false;
    }

    /// <summary>Takes characters while <paramref name="accept"/> holds and returns them.</summary>
    public string TakeWhile(Func<char, bool> accept)
    {
        var start = Position;
        while (!AtEnd && accept(Text[Position]))
        {
            Position++;
        }

        return Since(start);
    }

    /// <summary>After white space, takes an identifier (a letter or <c>_</c>, then letters, digits and <c>_</c>); empty when none starts here.</summary>
    public string ReadIdentifier()
    {
        SkipSpace();
        return char.IsAsciiLetter(Peek()) || Peek() == '_' ? TakeWhile(c => char.IsAsciiLetterOrDigit(c) || c == '_') : string.Empty;
    }

    /// <summary>A syntax error at the position, worded by the language's format.</summary>
    public FormatException Error(string problem) => new(format(Text, Position + 1, problem));
}
