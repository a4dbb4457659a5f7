namespace HybridAI;

/// <summary>Where a model runs, and so where the data sent to it goes.</summary>
public enum ModelLocality
{
    /// <summary>A partner's model: data leaves the company's boundary.</summary>
    Partner = 0,

    /// <summary>A model the company runs itself (in process, or on its own servers): data stays in-house.</summary>
    InHouse = 1,
}
