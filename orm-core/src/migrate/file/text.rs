//! The words of a migration file: names, quoted texts and punctuation, one line at a
//! time, with errors that say the file and line.

use crate::error::Error;

/// One token of a line.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    /// A word: letters, digits and `_`.
    Word(String),
    /// A double-quoted text, unescaped.
    Text(String),
    /// `.`, `,`, `(` or `)`.
    Punct(char),
}

/// A name as the file writes it: bare when it is one word (ASCII letters, digits and
/// `_`), else quoted.
pub(super) fn quoted_name(name: &str) -> String {
    if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        name.to_owned()
    } else {
        quoted_text(name)
    }
}

/// `"text"` with `\"`, `\\`, `\n`, `\r`, `\t` and `\u{..}` for other control characters.
pub(super) fn quoted_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The lines of a file that hold tokens (blank and comment lines skipped).
pub(super) struct Lines<'a> {
    file: &'a str,
    lines: std::iter::Enumerate<std::str::Lines<'a>>,
    number: usize,
}

impl<'a> Lines<'a> {
    pub(super) fn new(file: &'a str, text: &'a str) -> Lines<'a> {
        Lines { file, lines: text.lines().enumerate(), number: 0 }
    }

    /// The number of the last line read.
    pub(super) fn line_number(&self) -> usize {
        self.number
    }

    pub(super) fn error_at(&self, number: usize, message: &str) -> Error {
        Error::Migration { message: format!("{} line {number}: {message}", self.file) }
    }

    /// The next line with tokens, or `None` at the end of the file.
    pub(super) fn next_line(&mut self) -> Result<Option<Line<'a>>, Error> {
        for (i, text) in self.lines.by_ref() {
            self.number = i + 1;
            let tokens = tokenize(text)
                .map_err(|m| Error::Migration { message: format!("{} line {}: {m}", self.file, self.number) })?;
            if !tokens.is_empty() {
                return Ok(Some(Line { file: self.file, number: self.number, tokens, pos: 0 }));
            }
        }
        Ok(None)
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '#' => break,
            '.' | ',' | '(' | ')' => {
                chars.next();
                tokens.push(Token::Punct(c));
            }
            '"' => {
                chars.next();
                tokens.push(Token::Text(unquote(&mut chars)?));
            }
            c if c.is_ascii_alphanumeric() || c == '_' => {
                let mut end = start;
                while let Some(&(i, c)) = chars.peek().filter(|(_, c)| c.is_ascii_alphanumeric() || *c == '_') {
                    end = i + c.len_utf8();
                    chars.next();
                }
                tokens.push(Token::Word(text[start..end].to_owned()));
            }
            other => return Err(format!("unexpected character `{other}` (quote names and SQL in double quotes)")),
        }
    }
    Ok(tokens)
}

/// The rest of a quoted text after its opening quote.
fn unquote(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> Result<String, String> {
    let mut out = String::new();
    loop {
        let Some((_, c)) = chars.next() else { return Err("a quoted text has no closing `\"`".into()) };
        match c {
            '"' => return Ok(out),
            '\\' => match chars.next().map(|(_, c)| c) {
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('u') => {
                    let mut hex = String::new();
                    if chars.next().map(|(_, c)| c) != Some('{') {
                        return Err("expected `{` after `\\u`".into());
                    }
                    for (_, c) in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                        hex.push(c);
                    }
                    let c = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                    out.push(c.ok_or_else(|| format!("`\\u{{{hex}}}` is not a character"))?);
                }
                other => {
                    let shown = other.map_or("the line's end".to_owned(), |c| format!("`{c}`"));
                    return Err(format!("unknown escape `\\` before {shown} (use \\\" \\\\ \\n \\r \\t \\u{{..}})"));
                }
            },
            c => out.push(c),
        }
    }
}

/// One line's tokens and a cursor.
pub(super) struct Line<'a> {
    file: &'a str,
    number: usize,
    tokens: Vec<Token>,
    pos: usize,
}

impl Line<'_> {
    /// An error at this line.
    pub(super) fn error(&self, message: &str) -> Error {
        Error::Migration { message: format!("{} line {}: {message}", self.file, self.number) }
    }

    /// What the cursor is at, for an error.
    pub(super) fn found(&self) -> String {
        match self.tokens.get(self.pos) {
            None => "the end of the line".to_owned(),
            Some(Token::Word(w)) => format!("`{w}`"),
            Some(Token::Text(t)) => format!("the text {}", quoted_text(t)),
            Some(Token::Punct(c)) => format!("`{c}`"),
        }
    }

    fn expected(&self, what: &str) -> Error {
        self.error(&format!("expected {what}, found {}", self.found()))
    }

    /// The next token, a word.
    pub(super) fn word(&mut self) -> Result<String, Error> {
        match self.tokens.get(self.pos) {
            Some(Token::Word(w)) => {
                self.pos += 1;
                Ok(w.clone())
            }
            _ => Err(self.expected("a word")),
        }
    }

    /// Moves past the word `keyword` if it is next.
    pub(super) fn eat(&mut self, keyword: &str) -> bool {
        let here = matches!(self.tokens.get(self.pos), Some(Token::Word(w)) if w == keyword);
        self.pos += usize::from(here);
        here
    }

    /// The word `keyword`, or an error.
    pub(super) fn keyword(&mut self, keyword: &str) -> Result<(), Error> {
        if self.eat(keyword) {
            Ok(())
        } else {
            Err(self.expected(&format!("`{keyword}`")))
        }
    }

    /// Moves past `punct` if it is next.
    pub(super) fn eat_punct(&mut self, punct: char) -> bool {
        let here = self.tokens.get(self.pos) == Some(&Token::Punct(punct));
        self.pos += usize::from(here);
        here
    }

    fn punct(&mut self, punct: char) -> Result<(), Error> {
        if self.eat_punct(punct) {
            Ok(())
        } else {
            Err(self.expected(&format!("`{punct}`")))
        }
    }

    /// A name: a word, or a quoted text.
    pub(super) fn name(&mut self) -> Result<String, Error> {
        match self.tokens.get(self.pos) {
            Some(Token::Word(w) | Token::Text(w)) => {
                let name = w.clone();
                self.pos += 1;
                Ok(name)
            }
            _ => Err(self.expected("a name")),
        }
    }

    /// `table.column`.
    pub(super) fn qualified(&mut self) -> Result<(String, String), Error> {
        let table = self.name()?;
        self.punct('.')?;
        Ok((table, self.name()?))
    }

    /// `(a, b, ..)`.
    pub(super) fn name_list(&mut self) -> Result<Vec<String>, Error> {
        self.punct('(')?;
        let mut names = vec![self.name()?];
        while self.eat_punct(',') {
            names.push(self.name()?);
        }
        self.punct(')')?;
        Ok(names)
    }

    /// A quoted text (an SQL literal).
    pub(super) fn text(&mut self) -> Result<String, Error> {
        match self.tokens.get(self.pos) {
            Some(Token::Text(t)) => {
                let text = t.clone();
                self.pos += 1;
                Ok(text)
            }
            _ => Err(self.expected("a text in double quotes")),
        }
    }

    /// An error unless the line has no more tokens.
    pub(super) fn end(&self) -> Result<(), Error> {
        if self.pos == self.tokens.len() {
            Ok(())
        } else {
            Err(self.expected("the end of the line"))
        }
    }
}
