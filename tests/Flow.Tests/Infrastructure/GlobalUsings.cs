// Every test starts programs, finds the repository and checks for CI the same way.
global using Flow.Tests.Infrastructure;
