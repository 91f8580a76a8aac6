using PaymentService.Domain;

namespace PaymentService;

public static class PaymentServiceExtensions
{
    public const string FaultInjectionEnabledKey = "Payment:FaultInjection:Enabled";

    public static WebApplicationBuilder AddPaymentServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddValidation();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<PaymentLedger>();
        builder.Services.AddSingleton<FaultInjector>();
        return builder;
    }

    /// <summary>Fault injection exists only where configuration turns it on (the local run file does).</summary>
    public static bool IsFaultInjectionEnabled(this IConfiguration configuration) =>
        configuration.GetValue<bool>(FaultInjectionEnabledKey);
}
