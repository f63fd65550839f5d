import Testing

@testable import HookCore
@testable import HookS3

@Suite struct MarkupScannerTests {
    @Test func `attributes: quoted, unquoted, value-less, entities decoded`() {
        let tokens = MarkupScanner.html(#"<form id=kc-form action="https://h/x?a=1&amp;b=2" novalidate method='post'>"#)
        #expect(tokens.count == 1)
        #expect(tokens[0].attribute("action") == "https://h/x?a=1&b=2")
        #expect(tokens[0].attribute("ID") == "kc-form")
        #expect(tokens[0].attribute("novalidate") == "")
        #expect(tokens[0].attribute("method") == "post")
    }

    @Test func `script content and comments are not markup`() {
        let tokens = MarkupScanner.html(#"<script>var s = "<form action='evil'>";</script><!-- <form action="no"> --><form action="yes">"#)
        let forms = tokens.filter { $0.tagName == "form" && $0.attribute("action") != nil }
        #expect(forms.map { $0.attribute("action") } == ["yes"])
    }

    @Test(arguments: ["<", "<form", "<form action=\"x", "<!--", "<![CDATA[", "&#xFFFFFFFF;", "<a b=c/>", "</", "<\u{0}>", "&&#;"])
    func `broken input never crashes`(input: String) {
        _ = MarkupScanner.html(input)
        _ = XMLElement.parse(input)
    }

    @Test func `XML tree with namespaces, entities and CDATA`() {
        let root = XMLElement.parse(
            #"<?xml version="1.0"?><s3:R xmlns:s3="x"><Key>a &amp; b</Key><Key><![CDATA[<c>]]></Key><Empty/></s3:R>"#)
        #expect(root?.name == "R")
        #expect(root?.children("Key").map(\.text) == ["a & b", "<c>"])
        #expect(root?.child("Empty") != nil)
    }

    @Test func `numeric character references`() {
        #expect(MarkupEntities.decode("&#233;t&#xE9; &lt;&gt; &unknown; & x") == "été <> &unknown; & x")
    }

    @Test func `text is encoded for XML: the markup characters as entities, forbidden controls as question marks`() {
        #expect(MarkupEntities.encode("plain S2A_MSIL1C.SAFE é") == "plain S2A_MSIL1C.SAFE é")
        #expect(MarkupEntities.encode("a & <b> \"c\"\n\td") == "a &amp; &lt;b&gt; &quot;c&quot;\n\td")
        #expect(MarkupEntities.encode("bell\u{07} \u{FFFE}\u{FFFF} \u{F8FF}") == "bell? ?? \u{F8FF}")
        #expect(MarkupEntities.decode(MarkupEntities.encode("x & <y>")) == "x & <y>")
    }
}
