using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AuthGateway.Tests;

/// <summary>
/// The gateway's own registration with some settings, validated as its start-up validates it (every option registered
/// with <c>ValidateOnStart</c>), without starting a host: a host whose start fails can race its own disposal and hide
/// the validation message behind an <see cref="ObjectDisposedException"/>.
/// </summary>
public static class GatewayStartup
{
    /// <summary>What start-up would refuse with these settings, or null when it would start.</summary>
    public static async Task<Exception?> ValidateAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        foreach (var (name, value) in settings)
        {
            builder.Configuration[name] = value;
        }

        builder.AddAuthGateway();
        await using var app = builder.Build();
        return Record.Exception(() => app.Services.GetRequiredService<IStartupValidator>().Validate());
    }
}
