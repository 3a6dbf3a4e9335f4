using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Rewind.Aws.Protocols;

namespace Rewind.Aws.Elb;

/// <summary>
/// Reads <see cref="ElbAction"/>s from ELBv2's XML and writes them as query-protocol form fields
/// (<c>DefaultActions.member.1.ForwardConfig.TargetGroups.member.1.Weight=90</c>), member for member, so that what
/// was read is what is written.
/// </summary>
public static class ElbActionCodec
{
    private const string ClientSecret = "ClientSecret";
    private const string UseExistingClientSecret = "UseExistingClientSecret";

    /// <summary>Reads one action (a <c>&lt;member&gt;</c> of <c>DefaultActions</c> or <c>Actions</c>). Throws <see cref="XmlException"/> when a required member is missing.</summary>
    public static ElbAction Read(XElement action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var unmodelled = new List<KeyValuePair<string, string>>();
        KeepUnknown(action, "", unmodelled,
            "Type", "Order", "TargetGroupArn", "ForwardConfig", "RedirectConfig", "FixedResponseConfig",
            "AuthenticateOidcConfig", "AuthenticateCognitoConfig", "JwtValidationConfig");
        return new ElbAction
        {
            Type = action.RequiredText("Type"),
            Order = action.Int("Order"),
            TargetGroupArn = action.Text("TargetGroupArn"),
            ForwardConfig = action.Child("ForwardConfig") is { } forward ? ReadForward(forward, unmodelled) : null,
            RedirectConfig = action.Child("RedirectConfig") is { } redirect ? ReadRedirect(redirect, unmodelled) : null,
            FixedResponseConfig = action.Child("FixedResponseConfig") is { } fixedResponse ? ReadFixedResponse(fixedResponse, unmodelled) : null,
            AuthenticateOidcConfig = action.Child("AuthenticateOidcConfig") is { } oidc ? ReadOidc(oidc, unmodelled) : null,
            AuthenticateCognitoConfig = action.Child("AuthenticateCognitoConfig") is { } cognito ? ReadCognito(cognito, unmodelled) : null,
            JwtValidationConfig = action.Child("JwtValidationConfig") is { } jwt ? ReadJwt(jwt, unmodelled) : null,
            UnmodelledMembers = unmodelled,
        };
    }

    /// <summary>The form fields of an action list: <paramref name="listName"/> is <c>DefaultActions</c> or <c>Actions</c>.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Write(string listName, IReadOnlyList<ElbAction> actions)
    {
        ArgumentException.ThrowIfNullOrEmpty(listName);
        ArgumentNullException.ThrowIfNull(actions);
        var fields = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < actions.Count; i++)
            WriteAction(new Form(fields, $"{listName}.member.{Number(i + 1)}"), actions[i]);
        return fields;
    }

    private static ForwardConfig ReadForward(XElement forward, List<KeyValuePair<string, string>> unmodelled)
    {
        KeepUnknown(forward, "ForwardConfig.", unmodelled, "TargetGroups", "TargetGroupStickinessConfig");
        var groups = new List<WeightedTargetGroup>();
        var index = 0;
        foreach (var group in forward.Items("TargetGroups"))
        {
            index++;
            KeepUnknown(group, $"ForwardConfig.TargetGroups.member.{Number(index)}.", unmodelled, "TargetGroupArn", "Weight");
            groups.Add(new WeightedTargetGroup(group.RequiredText("TargetGroupArn"), group.Int("Weight")));
        }
        TargetGroupStickiness? stickiness = null;
        if (forward.Child("TargetGroupStickinessConfig") is { } sticky)
        {
            KeepUnknown(sticky, "ForwardConfig.TargetGroupStickinessConfig.", unmodelled, "Enabled", "DurationSeconds");
            stickiness = new TargetGroupStickiness(sticky.Bool("Enabled"), sticky.Int("DurationSeconds"));
        }
        return new ForwardConfig { TargetGroups = groups, TargetGroupStickinessConfig = stickiness };
    }

    private static RedirectConfig ReadRedirect(XElement redirect, List<KeyValuePair<string, string>> unmodelled)
    {
        KeepUnknown(redirect, "RedirectConfig.", unmodelled, "StatusCode", "Protocol", "Port", "Host", "Path", "Query");
        return new RedirectConfig
        {
            StatusCode = redirect.RequiredText("StatusCode"),
            Protocol = redirect.Text("Protocol"),
            Port = redirect.Text("Port"),
            Host = redirect.Text("Host"),
            Path = redirect.Text("Path"),
            Query = redirect.Text("Query"),
        };
    }

    private static FixedResponseConfig ReadFixedResponse(XElement response, List<KeyValuePair<string, string>> unmodelled)
    {
        KeepUnknown(response, "FixedResponseConfig.", unmodelled, "StatusCode", "ContentType", "MessageBody");
        return new FixedResponseConfig
        {
            StatusCode = response.RequiredText("StatusCode"),
            ContentType = response.Text("ContentType"),
            MessageBody = response.Text("MessageBody"),
        };
    }

    private static AuthenticateOidcConfig ReadOidc(XElement oidc, List<KeyValuePair<string, string>> unmodelled)
    {
        // ClientSecret is deliberately dropped (moto echoes it, AWS never does) and UseExistingClientSecret is
        // always written as true, so the secret is neither held nor sent.
        KeepUnknown(oidc, "AuthenticateOidcConfig.", unmodelled,
            "Issuer", "AuthorizationEndpoint", "TokenEndpoint", "UserInfoEndpoint", "ClientId", ClientSecret,
            "SessionCookieName", "Scope", "SessionTimeout", "AuthenticationRequestExtraParams",
            "OnUnauthenticatedRequest", UseExistingClientSecret);
        return new AuthenticateOidcConfig
        {
            Issuer = oidc.RequiredText("Issuer"),
            AuthorizationEndpoint = oidc.RequiredText("AuthorizationEndpoint"),
            TokenEndpoint = oidc.RequiredText("TokenEndpoint"),
            UserInfoEndpoint = oidc.RequiredText("UserInfoEndpoint"),
            ClientId = oidc.RequiredText("ClientId"),
            SessionCookieName = oidc.Text("SessionCookieName"),
            Scope = oidc.Text("Scope"),
            SessionTimeout = Long(oidc, "SessionTimeout"),
            AuthenticationRequestExtraParams = ReadMap(oidc.Child("AuthenticationRequestExtraParams")),
            OnUnauthenticatedRequest = oidc.Text("OnUnauthenticatedRequest"),
        };
    }

    private static AuthenticateCognitoConfig ReadCognito(XElement cognito, List<KeyValuePair<string, string>> unmodelled)
    {
        KeepUnknown(cognito, "AuthenticateCognitoConfig.", unmodelled,
            "UserPoolArn", "UserPoolClientId", "UserPoolDomain", "SessionCookieName", "Scope", "SessionTimeout",
            "AuthenticationRequestExtraParams", "OnUnauthenticatedRequest");
        return new AuthenticateCognitoConfig
        {
            UserPoolArn = cognito.RequiredText("UserPoolArn"),
            UserPoolClientId = cognito.RequiredText("UserPoolClientId"),
            UserPoolDomain = cognito.RequiredText("UserPoolDomain"),
            SessionCookieName = cognito.Text("SessionCookieName"),
            Scope = cognito.Text("Scope"),
            SessionTimeout = Long(cognito, "SessionTimeout"),
            AuthenticationRequestExtraParams = ReadMap(cognito.Child("AuthenticationRequestExtraParams")),
            OnUnauthenticatedRequest = cognito.Text("OnUnauthenticatedRequest"),
        };
    }

    private static JwtValidationConfig ReadJwt(XElement jwt, List<KeyValuePair<string, string>> unmodelled)
    {
        KeepUnknown(jwt, "JwtValidationConfig.", unmodelled, "JwksEndpoint", "Issuer", "AdditionalClaims");
        var claims = new List<JwtAdditionalClaim>();
        var index = 0;
        foreach (var claim in jwt.Items("AdditionalClaims"))
        {
            index++;
            KeepUnknown(claim, $"JwtValidationConfig.AdditionalClaims.member.{Number(index)}.", unmodelled, "Format", "Name", "Values");
            claims.Add(new JwtAdditionalClaim(
                claim.RequiredText("Format"), claim.RequiredText("Name"), [.. claim.Items("Values").Select(v => v.Value)]));
        }
        return new JwtValidationConfig
        {
            JwksEndpoint = jwt.RequiredText("JwksEndpoint"),
            Issuer = jwt.RequiredText("Issuer"),
            AdditionalClaims = claims,
        };
    }

    private static List<KeyValuePair<string, string>>? ReadMap(XElement? map) =>
        map is null ? null : [.. map.Children("entry").Select(e => new KeyValuePair<string, string>(e.RequiredText("key"), e.Text("value") ?? ""))];

    private static long? Long(XElement element, string name) =>
        long.TryParse(element.Text(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static void WriteAction(Form form, ElbAction action)
    {
        form.Add("Type", action.Type);
        form.Add("Order", action.Order);
        form.Add("TargetGroupArn", action.TargetGroupArn);
        if (action.ForwardConfig is { } forward)
        {
            var config = form.Struct("ForwardConfig");
            for (var i = 0; i < forward.TargetGroups.Count; i++)
            {
                var group = config.Struct($"TargetGroups.member.{Number(i + 1)}");
                group.Add("TargetGroupArn", forward.TargetGroups[i].TargetGroupArn);
                group.Add("Weight", forward.TargetGroups[i].Weight);
            }
            if (forward.TargetGroupStickinessConfig is { } stickiness)
            {
                var sticky = config.Struct("TargetGroupStickinessConfig");
                sticky.Add("Enabled", stickiness.Enabled);
                sticky.Add("DurationSeconds", stickiness.DurationSeconds);
            }
        }
        if (action.RedirectConfig is { } redirect)
        {
            var config = form.Struct("RedirectConfig");
            config.Add("StatusCode", redirect.StatusCode);
            config.Add("Protocol", redirect.Protocol);
            config.Add("Port", redirect.Port);
            config.Add("Host", redirect.Host);
            config.Add("Path", redirect.Path);
            config.Add("Query", redirect.Query);
        }
        if (action.FixedResponseConfig is { } fixedResponse)
        {
            var config = form.Struct("FixedResponseConfig");
            config.Add("StatusCode", fixedResponse.StatusCode);
            config.Add("ContentType", fixedResponse.ContentType);
            config.Add("MessageBody", fixedResponse.MessageBody);
        }
        if (action.AuthenticateOidcConfig is { } oidc)
        {
            var config = form.Struct("AuthenticateOidcConfig");
            config.Add("Issuer", oidc.Issuer);
            config.Add("AuthorizationEndpoint", oidc.AuthorizationEndpoint);
            config.Add("TokenEndpoint", oidc.TokenEndpoint);
            config.Add("UserInfoEndpoint", oidc.UserInfoEndpoint);
            config.Add("ClientId", oidc.ClientId);
            config.Add("SessionCookieName", oidc.SessionCookieName);
            config.Add("Scope", oidc.Scope);
            config.Add("SessionTimeout", oidc.SessionTimeout);
            config.Map("AuthenticationRequestExtraParams", oidc.AuthenticationRequestExtraParams);
            config.Add("OnUnauthenticatedRequest", oidc.OnUnauthenticatedRequest);
            config.Add(UseExistingClientSecret, true);
        }
        if (action.AuthenticateCognitoConfig is { } cognito)
        {
            var config = form.Struct("AuthenticateCognitoConfig");
            config.Add("UserPoolArn", cognito.UserPoolArn);
            config.Add("UserPoolClientId", cognito.UserPoolClientId);
            config.Add("UserPoolDomain", cognito.UserPoolDomain);
            config.Add("SessionCookieName", cognito.SessionCookieName);
            config.Add("Scope", cognito.Scope);
            config.Add("SessionTimeout", cognito.SessionTimeout);
            config.Map("AuthenticationRequestExtraParams", cognito.AuthenticationRequestExtraParams);
            config.Add("OnUnauthenticatedRequest", cognito.OnUnauthenticatedRequest);
        }
        if (action.JwtValidationConfig is { } jwt)
        {
            var config = form.Struct("JwtValidationConfig");
            config.Add("JwksEndpoint", jwt.JwksEndpoint);
            config.Add("Issuer", jwt.Issuer);
            for (var i = 0; i < jwt.AdditionalClaims.Count; i++)
            {
                var claim = config.Struct($"AdditionalClaims.member.{Number(i + 1)}");
                claim.Add("Format", jwt.AdditionalClaims[i].Format);
                claim.Add("Name", jwt.AdditionalClaims[i].Name);
                claim.List("Values", jwt.AdditionalClaims[i].Values);
            }
        }
        foreach (var (name, value) in action.UnmodelledMembers)
            form.Add(name, value);
    }

    /// <summary>Adds the children of <paramref name="element"/> not in <paramref name="known"/> to <paramref name="sink"/>, flattened.</summary>
    private static void KeepUnknown(XElement element, string path, List<KeyValuePair<string, string>> sink, params string[] known)
    {
        foreach (var child in element.Elements())
        {
            if (!known.Contains(child.Name.LocalName, StringComparer.Ordinal))
                Flatten(child, path + child.Name.LocalName, sink);
        }
    }

    /// <summary>
    /// The query-protocol fields of an XML subtree whose shape is unknown: a leaf is a value, children all named
    /// member are a list, children all named entry (key, value) are a map, anything else is a structure. An empty
    /// element becomes "name=", which is also how the query protocol writes an empty list.
    /// </summary>
    private static void Flatten(XElement element, string path, List<KeyValuePair<string, string>> sink)
    {
        var children = element.Elements().ToList();
        if (children.Count == 0)
        {
            sink.Add(new(path, element.Value));
        }
        else if (children.All(c => c.Name.LocalName == "member"))
        {
            for (var i = 0; i < children.Count; i++)
                Flatten(children[i], $"{path}.member.{Number(i + 1)}", sink);
        }
        else if (children.All(c => c.Name.LocalName == "entry"))
        {
            for (var i = 0; i < children.Count; i++)
            {
                foreach (var part in children[i].Elements())
                    Flatten(part, $"{path}.entry.{Number(i + 1)}.{part.Name.LocalName}", sink);
            }
        }
        else
        {
            foreach (var child in children)
                Flatten(child, $"{path}.{child.Name.LocalName}", sink);
        }
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Form fields under one prefix; null values are left out, as botocore leaves out unset members.</summary>
    private readonly struct Form(List<KeyValuePair<string, string>> fields, string prefix)
    {
        public Form Struct(string name) => new(fields, $"{prefix}.{name}");

        public void Add(string name, string? value)
        {
            if (value is not null)
                fields.Add(new($"{prefix}.{name}", value));
        }

        public void Add(string name, long? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));

        public void Add(string name, bool? value) => Add(name, value is null ? null : value.Value ? "true" : "false");

        public void List(string name, IReadOnlyList<string> values)
        {
            for (var i = 0; i < values.Count; i++)
                fields.Add(new($"{prefix}.{name}.member.{Number(i + 1)}", values[i]));
        }

        public void Map(string name, IReadOnlyList<KeyValuePair<string, string>>? entries)
        {
            for (var i = 0; i < (entries?.Count ?? 0); i++)
            {
                fields.Add(new($"{prefix}.{name}.entry.{Number(i + 1)}.key", entries![i].Key));
                fields.Add(new($"{prefix}.{name}.entry.{Number(i + 1)}.value", entries[i].Value));
            }
        }
    }
}
