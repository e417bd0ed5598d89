//! The in-memory mapping model both file formats load into. Every mapping,
//! source text and scope clause keeps its byte span in the file it came from,
//! so linters can turn findings into line/column positions.

use crate::syntax::Span;

/// Which file format a mapping set was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Microsoft Graph synchronization schema JSON (what Entra exports).
    Graph,
    /// attrmap's concise native JSON (schemas/attrmap-mapping.schema.json).
    Native,
}

/// All object mappings of one file.
#[derive(Debug, Clone)]
pub struct MappingSet {
    pub format: Format,
    /// The target application's name when the file gives one.
    pub app: Option<String>,
    /// The file's notes for its readers (native `description`), kept so a
    /// conversion does not drop them.
    pub description: Option<String>,
    /// The native file's `$schema` reference, exactly as the user wrote it.
    pub schema_ref: Option<String>,
    /// The native file's `lint` section, as its JSON text.
    pub lint_section: Option<String>,
    pub objects: Vec<ObjectMapping>,
    /// `directories[].objects[].attributes[]` of a Graph schema (empty for native files).
    pub directories: Vec<Directory>,
}

impl MappingSet {
    /// The first enabled object mapping whose target is `object` (`User` or `Group`).
    pub fn object(&self, object: ObjectType) -> Option<&ObjectMapping> {
        self.objects
            .iter()
            .find(|o| o.enabled && o.object == object)
            .or_else(|| self.objects.iter().find(|o| o.object == object))
    }

    /// The target directory's definition of `om`'s target object: the
    /// object named `targetObjectName` in the directory the rule names as
    /// its target. None when the file does not say (fragments, native
    /// files) or the directory does not list that object.
    pub fn target_definition(&self, om: &ObjectMapping) -> Option<&DirectoryObject> {
        self.directory_object(om.target_directory.as_deref()?, &om.target_object)
    }

    /// The source directory's definition of `om`'s source object, found the
    /// same way.
    pub fn source_definition(&self, om: &ObjectMapping) -> Option<&DirectoryObject> {
        self.directory_object(om.source_directory.as_deref()?, &om.source_object)
    }

    fn directory_object(&self, directory: &str, object: &str) -> Option<&DirectoryObject> {
        self.directories
            .iter()
            .filter(|d| d.name.eq_ignore_ascii_case(directory))
            .flat_map(|d| d.objects.iter())
            .find(|o| o.name.eq_ignore_ascii_case(object))
    }
}

/// The SCIM resource type an object mapping produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ObjectType {
    User,
    Group,
}

impl ObjectType {
    /// Reads `User`, `Group` or a target object name such as
    /// `urn:ietf:params:scim:schemas:core:2.0:Group` (case-insensitive).
    pub fn from_target_name(name: &str) -> Option<ObjectType> {
        let last = name.rsplit(':').next().unwrap_or(name);
        if last.eq_ignore_ascii_case("group") || last.eq_ignore_ascii_case("groups") {
            Some(ObjectType::Group)
        } else if last.eq_ignore_ascii_case("user") || last.eq_ignore_ascii_case("users") {
            Some(ObjectType::User)
        } else {
            None
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectType::User => "User",
            ObjectType::Group => "Group",
        }
    }
}

/// One objectMapping: a source object type flowing to a target object type.
#[derive(Debug, Clone)]
pub struct ObjectMapping {
    pub name: Option<String>,
    /// `User`, `Group` (Entra side).
    pub source_object: String,
    /// As written in the file, e.g. `User` or `urn:ietf:params:scim:schemas:core:2.0:User`.
    pub target_object: String,
    pub object: ObjectType,
    pub enabled: bool,
    /// None means every object is in scope.
    pub scope: Option<Scope>,
    pub attributes: Vec<AttributeMapping>,
    pub span: Span,
    /// The synchronizationRule's `sourceDirectoryName` and
    /// `targetDirectoryName`, when the file gives them: they say which of
    /// `directories[]` describes each side.
    pub source_directory: Option<String>,
    pub target_directory: Option<String>,
}

/// How a mapping flows (Graph `flowType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum FlowType {
    Always,
    /// Only when the object is created (the portal's "Apply this mapping: Only during object creation").
    ObjectAddOnly,
    MultiValueAddOnly,
    ValueAddOnly,
    AttributeAddOnly,
}

impl FlowType {
    pub const ALL: [FlowType; 5] = [
        FlowType::Always,
        FlowType::ObjectAddOnly,
        FlowType::MultiValueAddOnly,
        FlowType::ValueAddOnly,
        FlowType::AttributeAddOnly,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            FlowType::Always => "Always",
            FlowType::ObjectAddOnly => "ObjectAddOnly",
            FlowType::MultiValueAddOnly => "MultiValueAddOnly",
            FlowType::ValueAddOnly => "ValueAddOnly",
            FlowType::AttributeAddOnly => "AttributeAddOnly",
        }
    }
    /// Case-insensitive; `create` is the native spelling of ObjectAddOnly.
    pub fn parse(s: &str) -> Option<FlowType> {
        if s.eq_ignore_ascii_case("create") {
            return Some(FlowType::ObjectAddOnly);
        }
        FlowType::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(s))
    }
}

/// Where a target attribute's value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// `source: null`: nothing flows except the default value.
    None,
    /// A direct attribute copy (`[name]`).
    Attribute { name: String, span: Option<Span> },
    /// A constant string.
    Constant { value: String, span: Option<Span> },
    /// An expression. `span` is the JSON string literal (quotes included)
    /// holding `text`; use `json::decoded_to_file_offset` to map an offset
    /// inside `text` to the file. None when the text was rebuilt from a
    /// Graph parameter tree.
    Expression {
        text: String,
        span: Option<Span>,
        /// Where the tree that the text was rebuilt from sits, if it was.
        tree_span: Option<Span>,
    },
}

impl Source {
    /// The source as expression text (`[mail]`, `"Reader"`, or the expression), None for `Source::None`.
    pub fn expression_text(&self) -> Option<String> {
        match self {
            Source::None => None,
            Source::Attribute { name, .. } => Some(format!("[{name}]")),
            Source::Constant { value, .. } => Some(quote(value)),
            Source::Expression { text, .. } => Some(text.clone()),
        }
    }
    /// The literal span of the text in the file, when there is one.
    pub fn span(&self) -> Option<Span> {
        match self {
            Source::None => None,
            Source::Attribute { span, .. } | Source::Constant { span, .. } => *span,
            Source::Expression { span, .. } => *span,
        }
    }
}

/// Quotes a constant as an expression string literal (`\"` and `\\` escaped).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// One attributeMapping.
#[derive(Debug, Clone)]
pub struct AttributeMapping {
    /// SCIM attribute path (`emails[type eq "work"].value`).
    pub target: String,
    pub target_span: Span,
    pub source: Source,
    /// Used when the source yields null or empty (create mode only).
    pub default_value: Option<String>,
    pub default_span: Option<Span>,
    pub flow: FlowType,
    /// Graph `flowBehavior` (`FlowWhenChanged`, `FlowAlways`), kept as written.
    pub flow_behavior: Option<String>,
    /// 0: not a matching attribute; 1 is tried first.
    pub matching_priority: u32,
    /// The whole mapping object in the file.
    pub span: Span,
}

/// A scoping filter: the groups are OR-ed, the clauses in a group AND-ed.
/// A Graph filter may carry `groups`, `inputFilterGroups` and
/// `categoryFilterGroups`; each non-empty list is one `Scope` and an object
/// is in scope when every one of them passes.
#[derive(Debug, Clone)]
pub struct Scope {
    pub filters: Vec<Vec<ScopeGroup>>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ScopeGroup {
    pub clauses: Vec<ScopeClause>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ScopeClause {
    pub attribute: String,
    pub operator: ScopeOperator,
    pub values: Vec<String>,
    /// REGEX MATCH / NOT REGEX MATCH: the .NET pattern, checked at load time.
    pub regex: Option<super::ScopePattern>,
    pub span: Span,
}

/// Scoping filter operators, wire names first, then the UI-only ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ScopeOperator {
    Equals,
    NotEquals,
    RegexMatch,
    NotRegexMatch,
    IsTrue,
    IsFalse,
    IsNull,
    IsNotNull,
    GreaterThan,
    GreaterThanOrEquals,
    Includes,
    EndsWith,
    BitAnd,
    NotBitAnd,
}

impl ScopeOperator {
    pub const ALL: [ScopeOperator; 14] = [
        ScopeOperator::Equals,
        ScopeOperator::NotEquals,
        ScopeOperator::RegexMatch,
        ScopeOperator::NotRegexMatch,
        ScopeOperator::IsTrue,
        ScopeOperator::IsFalse,
        ScopeOperator::IsNull,
        ScopeOperator::IsNotNull,
        ScopeOperator::GreaterThan,
        ScopeOperator::GreaterThanOrEquals,
        ScopeOperator::Includes,
        ScopeOperator::EndsWith,
        ScopeOperator::BitAnd,
        ScopeOperator::NotBitAnd,
    ];
    /// The name on the wire (Graph `operatorName`).
    pub fn wire_name(self) -> &'static str {
        match self {
            ScopeOperator::Equals => "EQUALS",
            ScopeOperator::NotEquals => "NOT EQUALS",
            ScopeOperator::RegexMatch => "REGEX MATCH",
            ScopeOperator::NotRegexMatch => "NOT REGEX MATCH",
            ScopeOperator::IsTrue => "IS TRUE",
            ScopeOperator::IsFalse => "IS FALSE",
            ScopeOperator::IsNull => "IS NULL",
            ScopeOperator::IsNotNull => "IS NOT NULL",
            ScopeOperator::GreaterThan => "Greater_Than",
            ScopeOperator::GreaterThanOrEquals => "Greater_Than_OR_EQUALS",
            ScopeOperator::Includes => "Includes",
            ScopeOperator::EndsWith => "ENDS_WITH",
            ScopeOperator::BitAnd => "&",
            ScopeOperator::NotBitAnd => "!&",
        }
    }
    /// Accepts the wire names case-insensitively, with spaces or underscores.
    pub fn parse(s: &str) -> Option<ScopeOperator> {
        let norm = |x: &str| -> String {
            x.trim()
                .chars()
                .map(|c| {
                    if c == '_' {
                        ' '
                    } else {
                        c.to_ascii_uppercase()
                    }
                })
                .collect()
        };
        let n = norm(s);
        ScopeOperator::ALL
            .into_iter()
            .find(|o| norm(o.wire_name()) == n)
    }
    /// Operators that take no value.
    pub fn is_unary(self) -> bool {
        matches!(
            self,
            ScopeOperator::IsTrue
                | ScopeOperator::IsFalse
                | ScopeOperator::IsNull
                | ScopeOperator::IsNotNull
        )
    }
}

/// `directories[]` of a Graph schema.
#[derive(Debug, Clone)]
pub struct Directory {
    pub name: String,
    pub objects: Vec<DirectoryObject>,
}

#[derive(Debug, Clone)]
pub struct DirectoryObject {
    pub name: String,
    pub attributes: Vec<DirectoryAttribute>,
}

impl DirectoryObject {
    /// The attribute named `name` (case-insensitive, as Entra matches
    /// attribute names).
    pub fn attribute(&self, name: &str) -> Option<&DirectoryAttribute> {
        self.attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// Whether the object is a SCIM resource, so that target paths are SCIM
    /// paths (`emails[type eq "work"].value`) typed by RFC 7643. Entra's SCIM
    /// connector (customappsso) names its attributes by those paths; other
    /// connectors (Salesforce, an Entra ID tenant in cross-tenant sync) list
    /// plain attribute names. Judged from the names, since the directory's
    /// own name varies by app.
    pub fn is_scim(&self) -> bool {
        self.name.starts_with("urn:ietf:params:scim:")
            || self.attributes.iter().any(|a| {
                a.name == "userName"
                    || a.name == "externalId"
                    || a.name.starts_with("urn:ietf:params:scim:")
                    || a.name.contains("[type eq")
            })
    }
}

#[derive(Debug, Clone)]
pub struct DirectoryAttribute {
    pub name: String,
    /// `String`, `Boolean`, `Integer`, `DateTime`, `Reference`, `Binary` (as written).
    pub type_name: String,
    pub multivalued: bool,
    pub case_exact: bool,
    /// The target requires a value (attributeDefinition `required`).
    pub required: bool,
    pub referenced_objects: Vec<String>,
    pub span: Span,
}

impl DirectoryAttribute {
    /// The declared type as the builder converts to it: None for a type name
    /// attrmap does not know, which is then sent as the value's own type.
    pub fn declared_type(&self) -> Option<super::scim::AttrType> {
        use super::scim::AttrType;
        let t = self.type_name.as_str();
        [
            ("String", AttrType::String),
            ("Binary", AttrType::String),
            ("Boolean", AttrType::Boolean),
            ("Integer", AttrType::Integer),
            ("DateTime", AttrType::DateTime),
            ("Reference", AttrType::Reference),
        ]
        .into_iter()
        .find(|(name, _)| t.eq_ignore_ascii_case(name))
        .map(|(_, ty)| ty)
    }
}
