using System.Text;
using FlowActors.Grains.Interfaces.Webhooks;

namespace FlowActors.Grains.Webhooks;

/// <summary>Keeps one flow's webhook secret and checks requests against it; the secret never leaves the grain after rotation.</summary>
public sealed class WebhookGrain(
    [PersistentState("webhook", StorageNames.Grains)] IPersistentState<WebhookState> state,
    TimeProvider time) : Grain, IWebhookGrain
{
    public async Task<string> RotateSecretAsync()
    {
        var secret = WebhookCredentials.NewSecret();
        var before = state.State;
        state.State = new WebhookState { Secret = Encoding.UTF8.GetBytes(secret), RotatedAt = time.GetUtcNow() };
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = before; // a secret that was not stored must not be accepted
            throw;
        }

        return secret;
    }

    public async Task DeleteAsync()
    {
        state.State = new WebhookState();
        await state.ClearStateAsync();
    }

    public Task<bool> ExistsAsync() => Task.FromResult(state.State.Secret is not null);

    public Task<WebhookCheck> CheckAsync(string? secret, string? signature, byte[] body) =>
        Task.FromResult(WebhookCredentials.Check(state.State.Secret, secret, signature, body));
}
