using System.Text.RegularExpressions;
using NUnit.Framework;

namespace Flow.Tests.Argo;

/// <summary>
/// The part of Argo's expression language (expr) that a DAG's output parameters use (<c>valueFrom.expression</c>):
/// string literals, variables (<c>tasks.NAME.outputs.parameters.P</c>, or <c>tasks['NAME']...</c>), <c>==</c>,
/// <c>!=</c>, <c>!</c>, <c>&amp;&amp;</c>, <c>||</c>, parentheses and <c>COND ? A : B</c>, which evaluates only the branch
/// it takes, as expr does: the other may name a task that was skipped. A variable that does not resolve fails, as
/// Argo's would.
/// </summary>
internal static partial class OutputExpression
{
    public static string Evaluate(string expression, IReadOnlyDictionary<string, string> scope)
    {
        var tokens = Token().Matches(expression).Select(m => m.Value).ToList();
        Assert.That(string.Concat(tokens).Length, Is.EqualTo(expression.Count(c => !char.IsWhiteSpace(c)) + tokens.Sum(t => t.Count(char.IsWhiteSpace))), $"'{expression}' has what this reader does not know (a task name with '-' is written tasks['NAME'])");
        var position = 0;
        var value = Ternary(tokens, ref position, scope, expression);
        Assert.That(position, Is.EqualTo(tokens.Count), $"cannot read the expression '{expression}'");
        return value() switch
        {
            string text => text,
            bool flag => flag ? "true" : "false",
            var other => throw new AssertionException($"'{expression}' gives {other}, not a parameter's value"),
        };
    }

    // Each rule returns the evaluation, to run later: a ternary runs only the branch it takes.
    private static Func<object> Ternary(List<string> tokens, ref int position, IReadOnlyDictionary<string, string> scope, string expression)
    {
        var condition = Or(tokens, ref position, scope, expression);
        if (position >= tokens.Count || tokens[position] != "?")
        {
            return condition;
        }

        position++;
        var then = Ternary(tokens, ref position, scope, expression);
        Assert.That(tokens[position++], Is.EqualTo(":"), $"'{expression}': a ? without its :");
        var otherwise = Ternary(tokens, ref position, scope, expression);
        return () => Bool(condition(), expression) ? then() : otherwise();
    }

    private static Func<object> Or(List<string> tokens, ref int position, IReadOnlyDictionary<string, string> scope, string expression)
    {
        var left = And(tokens, ref position, scope, expression);
        while (position < tokens.Count && tokens[position] == "||")
        {
            position++;
            var (first, second) = (left, And(tokens, ref position, scope, expression));
            left = () => Bool(first(), expression) || Bool(second(), expression);
        }

        return left;
    }

    private static Func<object> And(List<string> tokens, ref int position, IReadOnlyDictionary<string, string> scope, string expression)
    {
        var left = Comparison(tokens, ref position, scope, expression);
        while (position < tokens.Count && tokens[position] == "&&")
        {
            position++;
            var (first, second) = (left, Comparison(tokens, ref position, scope, expression));
            left = () => Bool(first(), expression) && Bool(second(), expression);
        }

        return left;
    }

    private static Func<object> Comparison(List<string> tokens, ref int position, IReadOnlyDictionary<string, string> scope, string expression)
    {
        var left = Primary(tokens, ref position, scope, expression);
        if (position < tokens.Count && tokens[position] is "==" or "!=")
        {
            var equal = tokens[position++] == "==";
            var right = Primary(tokens, ref position, scope, expression);
            return () => Equals(left(), right()) == equal;
        }

        return left;
    }

    private static Func<object> Primary(List<string> tokens, ref int position, IReadOnlyDictionary<string, string> scope, string expression)
    {
        Assert.That(position, Is.LessThan(tokens.Count), $"'{expression}' ends too early");
        var token = tokens[position++];
        switch (token)
        {
            case "!":
                var operand = Primary(tokens, ref position, scope, expression);
                return () => !Bool(operand(), expression);
            case "(":
                var inner = Ternary(tokens, ref position, scope, expression);
                Assert.That(tokens[position++], Is.EqualTo(")"), $"'{expression}': a ( without its )");
                return inner;
            case "true" or "false":
                return () => token == "true";
        }

        if (token[0] is '\'' or '"')
        {
            var literal = token[1..^1];
            return () => literal;
        }

        // A variable: its parts joined by '.', a ['NAME'] part as .NAME.
        var name = Bracket().Replace(token, m => "." + m.Groups[1].Value);
        return () => scope.TryGetValue(name, out var value)
            ? value
            : throw new AssertionException($"'{token}' in '{expression}' does not resolve: Argo would fail the workflow");
    }

    private static bool Bool(object value, string expression) =>
        value as bool? ?? throw new AssertionException($"'{expression}': {value} is not a boolean");

    [GeneratedRegex(@"'[^']*'|""[^""]*""|&&|\|\||==|!=|!|\?|:|\(|\)|[A-Za-z_][A-Za-z0-9_.]*(?:\[(?:'[^']*'|""[^""]*"")\][A-Za-z0-9_.]*)*")]
    private static partial Regex Token();

    [GeneratedRegex(@"\[['""]([^'""]*)['""]\]")]
    private static partial Regex Bracket();
}
