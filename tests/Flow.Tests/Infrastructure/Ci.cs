using System.Diagnostics.CodeAnalysis;
using NUnit.Framework;

namespace Flow.Tests.Infrastructure;

/// <summary>Tests that need something of the machine: under <c>CI=true</c> nothing is silently skipped.</summary>
public static class Ci
{
    /// <summary>Whether the tests run under CI (<c>CI=true</c>).</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Something the test needs is missing: fails the test under CI, where it must never be skipped, and ignores it
    /// elsewhere. <paramref name="message"/> says what is missing and how to install it.
    /// </summary>
    [DoesNotReturn]
    public static void Missing(string message)
    {
        if (IsCi)
        {
            Assert.Fail(message);
        }

        Assert.Ignore(message);
    }
}
