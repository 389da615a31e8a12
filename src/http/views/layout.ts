import { html, type SafeHtml } from './html';

export function layout(title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Vigie</title>
<link rel="stylesheet" href="/static/vigie.css">
</head>
<body>
<header class="top"><a class="brand" href="/">Vigie</a></header>
<main>${body}</main>
</body>
</html>`;
}
