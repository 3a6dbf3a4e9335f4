using System.Text;
using System.Xml;
using System.Xml.Linq;
using Rewind.Aws.Errors;
using Rewind.Aws.Transport;

namespace Rewind.Aws.Protocols;

/// <summary>The AWS query protocol: a form POST with Action and Version, an XML answer.</summary>
public sealed class QueryProtocol(AwsTransport transport, AwsService service, string apiVersion)
{
    public AwsService Service => service;

    /// <summary>Sends the call and returns the <c>&lt;{Action}Result&gt;</c> element (or the root when there is none).</summary>
    public async Task<XElement> InvokeAsync(
        string action, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken, bool readOnly = true, CallClass? declaredClass = null)
    {
        var fields = new List<KeyValuePair<string, string>> { new("Action", action), new("Version", apiVersion) };
        fields.AddRange(parameters);
        var body = Encoding.UTF8.GetBytes(QueryString.FormEncode(fields));
        var response = await transport.SendAsync(service, new AwsRequest(
            action, HttpMethod.Post, "/", Body: body,
            ContentType: "application/x-www-form-urlencoded; charset=utf-8")
        { IsReadOnly = readOnly, Class = declaredClass }, cancellationToken);
        try
        {
            var root = XDocument.Parse(Encoding.UTF8.GetString(response.Body)).Root
                ?? throw new XmlException("no root element");
            return root.Elements().FirstOrDefault(e => e.Name.LocalName == action + "Result") ?? root;
        }
        catch (XmlException e)
        {
            throw new AwsServiceException(service, action, "MalformedResponse", $"the answer could not be read: {e.Message}", response.Status, response.RequestId);
        }
    }
}

/// <summary>Namespace-agnostic reading of AWS XML answers.</summary>
public static class Xml
{
    public static XElement? Child(this XElement element, string name) =>
        element.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    public static IEnumerable<XElement> Children(this XElement element, string name) =>
        element.Elements().Where(e => e.Name.LocalName == name);

    /// <summary>The &lt;member&gt; (or named) items of a list element, or nothing when it is absent.</summary>
    public static IEnumerable<XElement> Items(this XElement element, string listName, string itemName = "member") =>
        element.Child(listName)?.Children(itemName) ?? [];

    public static string? Text(this XElement element, string name) => element.Child(name)?.Value;

    public static string RequiredText(this XElement element, string name) =>
        element.Child(name)?.Value ?? throw new XmlException($"<{element.Name.LocalName}> has no <{name}>");

    public static int? Int(this XElement element, string name) =>
        int.TryParse(element.Text(name), System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;

    public static bool? Bool(this XElement element, string name) =>
        bool.TryParse(element.Text(name), out var value) ? value : null;
}
