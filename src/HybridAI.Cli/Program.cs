return HybridAI.Cli.CliApp.Run(args);
