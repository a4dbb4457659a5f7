namespace HybridAI;

/// <summary>How sensitive the data in a call is. The router sends <see cref="Sensitive"/> calls to in-house models only.</summary>
public enum DataClassification
{
    /// <summary>Public data: any model may see it.</summary>
    Public = 0,

    /// <summary>Company-internal data: partner models may see it under the company's agreements with them.</summary>
    Internal = 1,

    /// <summary>Sensitive data: only models whose locality is <see cref="ModelLocality.InHouse"/> may see it.</summary>
    Sensitive = 2,
}
