namespace DaprShop.Sidecar.Invocation;

/// <summary>
/// The operations of one access-control policy, matched the way daprd's <c>pkg/config/acl_trie.go</c>
/// matches them: path segments in a tree, <c>/*</c> standing for one last segment, <c>/**</c> for
/// every remaining segment, and <c>*</c> inside a segment for any characters. Children are tried
/// in the order they were added, so a wildcard added before an exact sibling shadows it; an
/// operation that matches a stored prefix matches that prefix's entry; the first entry stored for a
/// path wins.
/// </summary>
internal sealed class OperationTrie<T>
    where T : class
{
    private const string SingleWildcard = "/*";
    private const string MultiWildcard = "/**";

    private readonly Node _root = new("/");

    public void Add(string operation, T value)
    {
        var parts = operation.Split('/');
        var node = _root;
        for (var i = 1; i < parts.Length; i++)
        {
            var segment = "/" + parts[i];
            var last = i == parts.Length - 1;
            var child = node.Children.Find(c => c.Segment == segment);
            if (child is null)
            {
                child = new Node(segment) { Value = last ? value : null };
                node.Children.Add(child);
                node = child;
            }
            else if (last)
            {
                child.Value ??= value;
            }
            else
            {
                node = child;
            }
        }
    }

    /// <summary>The entry for an operation such as <c>/orders/42</c>, or null when none matches.</summary>
    public T? Find(string operation)
    {
        var parts = operation.Split('/');
        Node? node = _root;
        for (var i = 1; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            node = FindChild(node, "/" + parts[i], last);
            if (node is null)
            {
                return null;
            }

            if (node.Value is not null)
            {
                if (!last && node.Segment.EndsWith(SingleWildcard, StringComparison.Ordinal) && !node.Segment.EndsWith(MultiWildcard, StringComparison.Ordinal))
                {
                    continue;
                }

                return node.Value;
            }

            if (last)
            {
                return FindChild(node, SingleWildcard, true)?.Value;
            }
        }

        return null;
    }

    private static Node? FindChild(Node node, string segment, bool last)
    {
        foreach (var child in node.Children)
        {
            if (child.Segment == segment)
            {
                return child;
            }

            if (child.Segment == SingleWildcard)
            {
                if (last)
                {
                    return child;
                }

                continue;
            }

            if (child.Segment == MultiWildcard || Glob(segment, child.Segment))
            {
                return child;
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="text"/> matches <paramref name="pattern"/>, where <c>*</c> stands for any characters.</summary>
    private static bool Glob(string text, string pattern)
    {
        var matches = new bool[text.Length + 1, pattern.Length + 1];
        matches[0, 0] = true;
        for (var j = 1; j <= pattern.Length && pattern[j - 1] == '*'; j++)
        {
            matches[0, j] = true;
        }

        for (var i = 1; i <= text.Length; i++)
        {
            for (var j = 1; j <= pattern.Length; j++)
            {
                matches[i, j] = pattern[j - 1] == '*'
                    ? matches[i, j - 1] || matches[i - 1, j]
                    : text[i - 1] == pattern[j - 1] && matches[i - 1, j - 1];
            }
        }

        return matches[text.Length, pattern.Length];
    }

    private sealed class Node(string segment)
    {
        public string Segment { get; } = segment;

        public T? Value { get; set; }

        public List<Node> Children { get; } = [];
    }
}
