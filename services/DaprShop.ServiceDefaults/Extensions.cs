using System.Text.Json.Serialization;
using DaprShop.ServiceDefaults.Hosting;
using DaprShop.ServiceDefaults.Problems;
using DaprShop.ServiceDefaults.Security;
using DaprShop.ServiceDefaults.State;
using DaprShop.ServiceDefaults.Telemetry;
using DaprShop.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;

namespace DaprShop.ServiceDefaults;

/// <summary>
/// What every DaprShop service has: telemetry, health, problem details, Swagger, the Dapr client and the app token
/// check, and under the local runner an exit when the runner is gone.
/// </summary>
public static class Extensions
{
    public const string HealthPath = "/healthz";

    /// <summary>
    /// Registers the shared services. Each service still calls <c>builder.Services.AddValidation()</c> itself:
    /// the validation source generator only sees the endpoint types of the project that makes that call.
    /// </summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, Action<ServiceDefaultsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);

        var options = new ServiceDefaultsOptions();
        configure?.Invoke(options);
        builder.Services.AddSingleton(options);

        builder.BindToAppPort();
        builder.AddParentProcessWatch();
        builder.AddTelemetry();

        builder.Services.AddHealthChecks();
        builder.Services.AddShopProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            // A request body that leaves out a required field or sends null for a non-nullable one is a 400, not a default value.
            json.SerializerOptions.RespectRequiredConstructorParameters = true;
            json.SerializerOptions.RespectNullableAnnotations = true;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        });

        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen(swagger =>
            swagger.SwaggerDoc("v1", new OpenApiInfo { Title = ServiceIdentity.Name(builder), Version = "v1" }));

        builder.Services.AddDaprClient();
        builder.Services.TryAddSingleton<IAppStateStore, DaprAppStateStore>();

        return builder;
    }

    /// <summary>Adds the shared middleware (problem details, app token check, charset check, Swagger) and <c>/healthz</c>.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.UseExceptionHandler();
        app.UseStatusCodePages();

        if (app.Services.GetRequiredService<ServiceDefaultsOptions>().RequireAppApiToken)
        {
            app.UseMiddleware<AppApiTokenMiddleware>();
        }

        // Authentication runs after the status code pages so that a challenge (401) also answers problem details.
        if (app.Services.GetService<IAuthenticationSchemeProvider>() is not null)
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }

        app.UseMiddleware<RequestCharsetMiddleware>();

        if (!app.Services.GetRequiredService<ServiceDefaultsOptions>().SwaggerInDevelopmentOnly || app.Environment.IsDevelopment())
        {
            app.UseSwagger();
            app.UseSwaggerUI();
        }

        app.MapHealthChecks(HealthPath).AllowAnonymous();

        return app;
    }

    /// <summary>True for the request paths that need no token and are left out of traces.</summary>
    internal static bool IsHealthCheck(PathString path) => path.StartsWithSegments(HealthPath);
}
