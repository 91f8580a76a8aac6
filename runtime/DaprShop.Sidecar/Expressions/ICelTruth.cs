namespace DaprShop.Sidecar.Expressions;

/// <summary>
/// A language's evaluated value as CEL's <c>&amp;&amp;</c>, <c>||</c> and <c>!</c> see it: true,
/// false or an error. An error value keeps whatever the language carries with it (a message, say),
/// and <see cref="CelLogic"/> passes it on as it is.
/// </summary>
internal interface ICelTruth<TSelf>
    where TSelf : ICelTruth<TSelf>
{
    /// <summary>The boolean; null when the value is an error.</summary>
    bool? Truth { get; }

    static abstract TSelf Of(bool value);
}
