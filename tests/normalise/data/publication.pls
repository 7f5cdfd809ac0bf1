<?xml version="1.0" encoding="UTF-8"?>
<!-- A per-publication lexicon in W3C PLS 1.0: alias entries are used, phoneme-only ones skipped. -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="ipa" xml:lang="en-US">
  <lexeme>
    <grapheme>Nguyen</grapheme>
    <alias>Win</alias>
  </lexeme>
  <lexeme>
    <grapheme>IEEE</grapheme>
    <alias>I triple E</alias>
  </lexeme>
  <lexeme>
    <grapheme>tomato</grapheme>
    <phoneme>təˈmeɪtoʊ</phoneme>
  </lexeme>
</lexicon>
