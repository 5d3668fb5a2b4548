using System.Globalization;

namespace FlowActors.Containers.Isolation;

/// <summary>A numeric user and group that local component processes run as (<c>setpriv --reuid --regid --clear-groups</c>).</summary>
public sealed record ProcessUser(uint UserId, uint GroupId)
{
    /// <summary>Parses <c>uid:gid</c> or <c>uid</c> (the group is then the same number); null when it is neither, or root.</summary>
    public static ProcessUser? Parse(string? text)
    {
        var parts = (text ?? "").Split(':');
        if (parts.Length is < 1 or > 2
            || !uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
            || (parts.Length == 2 && !uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            return null;
        }

        var group = parts.Length == 2 ? uint.Parse(parts[1], CultureInfo.InvariantCulture) : user;
        return user == 0 || group == 0 ? null : new ProcessUser(user, group);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{UserId}:{GroupId}");
}
