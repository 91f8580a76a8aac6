using PaymentService.Domain;

namespace PaymentService.Tests.Domain;

public class FaultSettingsTests
{
    [Theory]
    [InlineData("none", FaultMode.None)]
    [InlineData("down", FaultMode.Down)]
    [InlineData("DOWN", FaultMode.Down)]
    [InlineData(" slow ", FaultMode.Slow)]
    public void Parse_known_mode_Settings(string mode, FaultMode expected)
    {
        var settings = FaultSettings.Parse(mode, null, out var errors);

        Assert.Empty(errors);
        Assert.Equal(expected, settings?.Mode);
    }

    [Fact]
    public void Parse_slow_without_delay_Default_delay()
    {
        var settings = FaultSettings.Parse("slow", null, out _);

        Assert.Equal(FaultSettings.DefaultDelayMs, settings?.DelayMs);
    }

    [Fact]
    public void Parse_slow_with_delay_That_delay()
    {
        Assert.Equal(250, FaultSettings.Parse("slow", 250, out _)?.DelayMs);
    }

    [Fact]
    public void Parse_down_with_delay_Delay_ignored()
    {
        Assert.Equal(0, FaultSettings.Parse("down", 250, out _)?.DelayMs);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("broken")]
    public void Parse_unknown_mode_Mode_error(string? mode)
    {
        var settings = FaultSettings.Parse(mode, null, out var errors);

        Assert.Null(settings);
        Assert.Contains("mode", errors.Keys);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(FaultSettings.MaxDelayMs + 1)]
    public void Parse_delay_out_of_range_DelayMs_error(int delayMs)
    {
        var settings = FaultSettings.Parse("slow", delayMs, out var errors);

        Assert.Null(settings);
        Assert.Contains("delayMs", errors.Keys);
    }
}
