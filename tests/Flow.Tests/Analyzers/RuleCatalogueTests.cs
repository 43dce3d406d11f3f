using System.Reflection;
using System.Text.RegularExpressions;
using Flow.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using NUnit.Framework;
using FlowRules = global::Flow.Generators.Rules.FlowRules;
using Rules = global::Flow.Generators.Rules.RuleCatalogue;

namespace Flow.Tests.Analyzers;

/// <summary>Every rule is described, documented, tracked as released, and has a failing and a passing test of its own.</summary>
public class RuleCatalogueTests
{
    private static IEnumerable<string> Ids => Rules.All.Select(r => r.Id);

    [Test]
    public void Every_rule_has_a_unique_id_an_error_severity_a_title_and_a_help_link()
    {
        Assert.That(Ids, Is.Unique);
        Assert.Multiple(() =>
        {
            foreach (var rule in Rules.All)
            {
                Assert.That(rule.Id, Does.Match("^FLOW[0-9]{3}$"), rule.Id);
                Assert.That(rule.DefaultSeverity, Is.EqualTo(DiagnosticSeverity.Error), rule.Id);
                Assert.That(rule.IsEnabledByDefault, Is.True, rule.Id);
                Assert.That(rule.Title.ToString(), Is.Not.Empty, rule.Id);
                Assert.That(rule.MessageFormat.ToString(), Is.Not.Empty, rule.Id);
                Assert.That(rule.HelpLinkUri, Is.EqualTo(Rules.HelpBase + rule.Id.ToLowerInvariant()), rule.Id);
            }
        });
    }

    [Test]
    public void Every_rule_is_reported_by_the_analyzer()
    {
        var supported = new Flow.Analyzers.FlowAnalyzer().SupportedDiagnostics.Select(d => d.Id);
        Assert.That(supported, Is.EquivalentTo(Ids));
    }

    [Test]
    public void Every_rule_has_one_check_in_the_list_the_generator_and_the_analyzer_run()
    {
        Assert.That(FlowRules.All.Select(r => r.Rule.Id).Concat(FlowRules.Services.Select(r => r.Rule.Id)), Is.EqualTo(Ids), "one entry per rule, in the catalogue's order");
        Assert.That(
            FlowRules.All.Where(r => r.OnEveryPath).Select(r => r.Rule.Id).Concat(FlowRules.Services.Where(r => r.NeedsWholeCompilation).Select(r => r.Rule.Id)),
            Is.EquivalentTo(new[] { "FLOW011", "FLOW012", "FLOW031", "FLOW048", "FLOW050" }),
            "only the checks that need each body's paths, or the whole program, are left to the analyzer");
    }

    [Test]
    public void Every_rule_has_a_reports_and_an_accepts_test()
    {
        var tests = typeof(RuleCatalogueTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttributes<TestAttribute>().Any())
            .Select(m => m.Name)
            .ToList();
        var missing = new List<string>();
        foreach (var id in Ids)
        {
            if (!tests.Any(t => t.StartsWith(id + "_Reports_", StringComparison.Ordinal)))
            {
                missing.Add(id + " (no " + id + "_Reports_ test)");
            }

            if (!tests.Any(t => t.StartsWith(id + "_Accepts_", StringComparison.Ordinal)))
            {
                missing.Add(id + " (no " + id + "_Accepts_ test)");
            }
        }

        Assert.That(missing, Is.Empty, "Rules without tests: " + string.Join(", ", missing));
    }

    [Test]
    public void Every_rule_is_in_the_unshipped_release_notes_with_its_category_and_title()
    {
        var path = Path.Combine(RepoPaths.Root, "src", "Flow.Generators", "AnalyzerReleases.Unshipped.md");
        var rows = File.ReadAllLines(path)
            .Select(l => l.Split('|').Select(c => c.Trim()).ToArray())
            .Where(c => c.Length == 4 && c[0].StartsWith("FLOW", StringComparison.Ordinal))
            .ToDictionary(c => c[0]);
        Assert.Multiple(() =>
        {
            foreach (var rule in Rules.All)
            {
                Assert.That(rows.ContainsKey(rule.Id), Is.True, $"{rule.Id} is missing from {path}");
                if (rows.TryGetValue(rule.Id, out var row))
                {
                    Assert.That(row[1], Is.EqualTo(rule.Category), rule.Id);
                    Assert.That(row[2], Is.EqualTo("Error"), rule.Id);
                    Assert.That(row[3], Is.EqualTo(rule.Title.ToString()), rule.Id);
                }
            }

            Assert.That(rows.Keys, Is.EquivalentTo(Ids), "rules in the release notes that the analyzer does not have");
        });
    }

    [Test]
    public void Every_rule_has_a_section_in_the_docs_that_its_help_link_points_to()
    {
        var path = Path.Combine(RepoPaths.Root, "docs", "rules.md");
        var text = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.Multiple(() =>
        {
            foreach (var rule in Rules.All)
            {
                var anchor = rule.HelpLinkUri.Substring(rule.HelpLinkUri.IndexOf('#', StringComparison.Ordinal) + 1);
                var heading = $"## {rule.Id}: {rule.Title}";
                Assert.That(text, Does.Contain($"<a id=\"{anchor}\"></a>\n{heading}\n"), $"{rule.Id}: anchor and heading in {path}");
            }

            var documented = Regex.Matches(text, "^## (FLOW[0-9]{3}):", RegexOptions.Multiline).Select(m => m.Groups[1].Value);
            Assert.That(documented, Is.EqualTo(Ids), "sections in docs/rules.md, in the catalogue's order");
        });
    }
}
