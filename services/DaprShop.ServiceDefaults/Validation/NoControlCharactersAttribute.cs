using System.ComponentModel.DataAnnotations;

namespace DaprShop.ServiceDefaults.Validation;

/// <summary>
/// A text field without control characters (Unicode category Cc: U+0000–U+001F, U+007F–U+009F): they have no place in
/// a SKU, a name or a token, and would end up stored, logged and shown. Null is valid; combine with
/// <see cref="RequiredAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class NoControlCharactersAttribute() : ValidationAttribute("The {0} field must not contain control characters.")
{
    public override bool IsValid(object? value) => value is not string text || !text.Any(char.IsControl);
}
