-- Colour words (basic colour terms and common named shades), hand-curated.
-- Modifiers join the colour that follows: "dark blue", "light grey".
return {
  colors = [[red orange yellow green blue purple pink brown black white gray grey silver gold
    golden beige tan cream ivory maroon navy teal turquoise cyan magenta violet lavender lilac
    crimson scarlet burgundy khaki olive lime mint coral salmon peach amber bronze copper
    charcoal indigo aqua ochre rust mauve fuchsia emerald ruby sapphire jade chestnut auburn
    blond blonde brunette ginger tawny]],
  modifiers = [[dark light bright pale deep pastel neon vivid dull hot baby royal navy sky]],
}
