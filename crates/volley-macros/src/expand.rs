//! Parsing the attribute and the function, and writing the generator function.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Error, GenericParam, ItemFn, Lifetime, LitStr, Path, ReturnType, Token, Type};

/// Which attribute is being expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `#[co]`: any body.
    Co,
    /// `#[task]`: a scheduler task body.
    Task,
}

/// The attribute's arguments.
#[derive(Default)]
struct Args {
    yield_ty: Option<Type>,
    send_ty: Option<Type>,
    is_static: bool,
    /// `boxed` (`None` inside) or `boxed = 'a`: return a type-erased `BoxCo`.
    boxed: Option<Option<Lifetime>>,
    name: Option<LitStr>,
    krate: Option<Path>,
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = Args::default();
        while !input.is_empty() {
            if input.peek(Token![static]) {
                input.parse::<Token![static]>()?;
                args.is_static = true;
            } else if input.peek(Token![yield]) {
                input.parse::<Token![yield]>()?;
                input.parse::<Token![=]>()?;
                args.yield_ty = Some(input.parse()?);
            } else if input.peek(Token![crate]) {
                input.parse::<Token![crate]>()?;
                input.parse::<Token![=]>()?;
                args.krate = Some(input.parse()?);
            } else {
                let key: syn::Ident = input.parse()?;
                if key == "boxed" {
                    args.boxed = Some(if input.peek(Token![=]) {
                        input.parse::<Token![=]>()?;
                        Some(input.parse()?)
                    } else {
                        None
                    });
                    if !input.is_empty() {
                        input.parse::<Token![,]>()?;
                    }
                    continue;
                }
                input.parse::<Token![=]>()?;
                match key.to_string().as_str() {
                    "send" => args.send_ty = Some(input.parse()?),
                    "name" => args.name = Some(input.parse()?),
                    other => {
                        return Err(Error::new(
                            key.span(),
                            format!(
                                "unknown argument `{other}`: expected `yield = T`, `send = T`, \
                                 `static`, `boxed`, `name = \"...\"` or `crate = path`"
                            ),
                        ))
                    }
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(args)
    }
}

/// Writes the generator function for `item`.
pub fn expand(args: TokenStream, item: TokenStream, kind: Kind) -> syn::Result<TokenStream> {
    let args: Args = syn::parse2(args)?;
    let mut func: ItemFn = syn::parse2(item)?;
    if let Some(asyncness) = &func.sig.asyncness {
        return Err(Error::new(
            asyncness.span(),
            "a coroutine function cannot be async: it yields with co_yield! instead",
        ));
    }
    let krate = args
        .krate
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(::volley));
    let ret: Type = match &func.sig.output {
        ReturnType::Type(_, ty) => (**ty).clone(),
        ReturnType::Default => {
            return Err(Error::new(
                func.sig.ident.span(),
                "a coroutine function returns what its body returns: write \
                 `-> Result<R, Exit<E>>` (for example `-> Result<(), Exit>`)",
            ))
        }
    };
    if args.yield_ty.is_some() && kind == Kind::Task {
        return Err(Error::new(
            Span::call_site(),
            "a task yields system calls: #[task] takes no `yield =`",
        ));
    }
    let (yield_ty, send_ty): (Type, Type) = match kind {
        Kind::Co => (
            args.yield_ty
                .clone()
                .unwrap_or_else(|| syn::parse_quote!(())),
            args.send_ty
                .clone()
                .unwrap_or_else(|| syn::parse_quote!(())),
        ),
        Kind::Task => {
            if args.send_ty.is_some() {
                return Err(Error::new(
                    Span::call_site(),
                    "a task is sent the scheduler's replies: #[task] takes no `send =`",
                ));
            }
            (
                syn::parse_quote!(#krate::sched::Syscall),
                syn::parse_quote!(#krate::sched::Reply),
            )
        }
    };
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| LitStr::new(&func.sig.ident.to_string(), func.sig.ident.span()));
    let outcome = quote!(#krate::__private::SplitReturn);
    let value_ty = quote!(<#ret as #outcome>::Value);
    let error_ty = quote!(<#ret as #outcome>::Error);

    let captures = captured_params(&func);
    let protocol = match kind {
        Kind::Co => quote!(#krate::Protocol<#send_ty, #yield_ty, #value_ty, #error_ty>),
        Kind::Task => quote!(#krate::sched::TaskBody<#value_ty>),
    };
    let has_impl_args = func.sig.inputs.iter().any(|arg| {
        let mut finder = ImplArgs::default();
        finder.visit_fn_arg(arg);
        finder.found
    });
    // Type parameters are captured by the returned `impl Trait` in every edition; lifetimes
    // only from edition 2024 on, so they are listed (an `impl Trait` argument forbids the list).
    let precise = (!captures.is_empty() && !has_impl_args).then(|| quote!(+ use<#(#captures),*>));
    func.sig.output = match (&args.boxed, kind) {
        (Some(lifetime), Kind::Co) => {
            let lifetime = lifetime.clone().unwrap_or_else(|| erased_lifetime(&func));
            syn::parse_quote_spanned! {ret.span()=>
                -> #krate::BoxCo<#lifetime, #send_ty, #yield_ty, #value_ty, #error_ty>
            }
        }
        (Some(_), Kind::Task) => {
            return Err(Error::new(
                Span::call_site(),
                "tasks are boxed by the scheduler: #[task] takes no `boxed`",
            ))
        }
        (None, _) => syn::parse_quote_spanned! {ret.span()=>
            -> #krate::Co<impl #protocol #precise>
        },
    };
    let body = &func.block;
    let static_kw = args.is_static.then(|| quote!(static));
    let constructor = if args.boxed.is_some() {
        quote!(#krate::Co::boxed)
    } else if args.is_static {
        quote!(#krate::Co::pinned)
    } else {
        quote!(#krate::Co::new)
    };
    let span = body.span();
    let new_body = quote_spanned! {span=>
        {
            #constructor(
                #[coroutine]
                #static_kw move |_: #krate::Resume<#send_ty, #error_ty>| -> #ret #body
            )
            .named(#name)
        }
    };
    func.block = syn::parse2(new_body)?;
    func.attrs.push(syn::parse_quote!(
        #[must_use = "a coroutine function runs nothing until its Co is started, sent to or iterated"]
    ));
    Ok(func.into_token_stream())
}

/// The generic parameters the returned `impl Trait` captures: every lifetime and type parameter
/// of the function, plus the elided lifetime when an argument borrows without naming one.
/// Empty when the function has no lifetime to capture.
fn captured_params(func: &ItemFn) -> Vec<TokenStream> {
    let mut elided = ElidedLifetimes::default();
    for input in &func.sig.inputs {
        elided.visit_fn_arg(input);
    }
    let has_lifetimes = elided.found
        || func
            .sig
            .generics
            .params
            .iter()
            .any(|p| matches!(p, GenericParam::Lifetime(_)));
    if !has_lifetimes {
        return Vec::new();
    }
    let mut captures: Vec<TokenStream> = Vec::new();
    if elided.found {
        captures.push(quote!('_));
    }
    for param in &func.sig.generics.params {
        match param {
            GenericParam::Lifetime(def) => captures.push(def.lifetime.to_token_stream()),
            GenericParam::Type(def) => captures.push(def.ident.to_token_stream()),
            GenericParam::Const(def) => captures.push(def.ident.to_token_stream()),
        }
    }
    captures
}

/// The lifetime a `boxed` coroutine lives for when the attribute names none: the function's
/// one lifetime parameter, the elided one of its borrowed arguments, or `'static`.
fn erased_lifetime(func: &ItemFn) -> Lifetime {
    let mut named = func
        .sig
        .generics
        .lifetimes()
        .map(|def| def.lifetime.clone());
    if let (Some(only), None) = (named.next(), named.next()) {
        return only;
    }
    let mut elided = ElidedLifetimes::default();
    for input in &func.sig.inputs {
        elided.visit_fn_arg(input);
    }
    let name = if elided.found { "'_" } else { "'static" };
    Lifetime::new(name, Span::call_site())
}

/// Finds `impl Trait` in argument position.
#[derive(Default)]
struct ImplArgs {
    found: bool,
}

impl<'ast> Visit<'ast> for ImplArgs {
    fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
        self.found = true;
    }
}

/// Finds argument types that borrow with an elided lifetime (`&T`, `'_`).
#[derive(Default)]
struct ElidedLifetimes {
    found: bool,
}

impl<'ast> Visit<'ast> for ElidedLifetimes {
    fn visit_type_reference(&mut self, reference: &'ast syn::TypeReference) {
        if reference.lifetime.is_none() {
            self.found = true;
        }
        syn::visit::visit_type_reference(self, reference);
    }

    fn visit_lifetime(&mut self, lifetime: &'ast Lifetime) {
        if lifetime.ident == "_" {
            self.found = true;
        }
    }

    fn visit_receiver(&mut self, receiver: &'ast syn::Receiver) {
        if receiver
            .reference
            .as_ref()
            .is_some_and(|(_, l)| l.is_none())
        {
            self.found = true;
        }
        syn::visit::visit_receiver(self, receiver);
    }

    // A closure or fn-pointer type's own elided lifetimes are not the function's.
    fn visit_type_bare_fn(&mut self, _: &'ast syn::TypeBareFn) {}
}
