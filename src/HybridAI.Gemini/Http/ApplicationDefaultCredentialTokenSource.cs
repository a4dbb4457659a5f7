using Google.Apis.Auth.OAuth2;

namespace HybridAI.Gemini;

/// <summary>
/// Vertex AI bearer tokens from Application Default Credentials (<c>GOOGLE_APPLICATION_CREDENTIALS</c>, the gcloud user
/// credentials, or the metadata server), scoped to <see cref="GeminiChatModelOptions.CloudPlatformScope"/>.
/// </summary>
/// <remarks>Thread-safe. The credential caches and refreshes tokens itself; a failed lookup is tried again on the next call.</remarks>
internal sealed class ApplicationDefaultCredentialTokenSource
{
    private readonly Lock _gate = new();
    private Task<ITokenAccess>? _credential;

    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        Task<ITokenAccess> credential;
        lock (_gate)
        {
            if (_credential is null || _credential.IsFaulted || _credential.IsCanceled)
            {
                _credential = LoadAsync();
            }

            credential = _credential;
        }

        var access = await credential.WaitAsync(cancellationToken).ConfigureAwait(false);
        return await access.GetAccessTokenForRequestAsync(authUri: null, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ITokenAccess> LoadAsync()
    {
        var credential = await GoogleCredential.GetApplicationDefaultAsync().ConfigureAwait(false);
        return credential.CreateScoped(GeminiChatModelOptions.CloudPlatformScope);
    }
}
